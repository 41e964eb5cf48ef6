/**
 * Browser telemetry: uncaught errors and a few timings, batched to POST /api/client-events at most every 5 s and
 * when the page is hidden. Events never carry the API key or message text: only error names, messages and stacks,
 * page addresses without query or fragment, durations and request ids.
 */

const FLUSH_EVERY_MS = 5_000;
const MAX_EVENTS_PER_POST = 20;
const MAX_POST_BYTES = 15_000; // the Api takes 16 KB
const MAX_QUEUED = 200;
const MAX_STACK = 2_000;
const MAX_TEXT = 500;

const encoder = new TextEncoder();
let queue = [];
let post = null;
let ready = () => false;

/**
 * Starts collecting: error listeners, the page load timing, and the flush timer.
 * @param {{send: (events: Array<object>, keepalive: boolean) => Promise<void>, canSend: () => boolean}} sender
 *   send posts one batch (best effort); canSend says whether it can now (signed in); until then events wait
 */
export function installTelemetry({ send, canSend }) {
  post = send;
  ready = canSend;
  window.addEventListener('error', (event) => {
    const error = event.error;
    recordError(error?.name || 'Error', error?.message || event.message, error?.stack, event.filename);
  });
  window.addEventListener('unhandledrejection', (event) => {
    const reason = event.reason;
    recordError(reason?.name || 'UnhandledRejection', reason?.message ?? String(reason), reason?.stack, location.href);
  });
  const recordLoad = () => setTimeout(() => {
    const [navigation] = performance.getEntriesByType('navigation');
    if (navigation) {
      recordTiming('load', navigation.loadEventEnd || navigation.duration);
    }
  }, 0);
  if (document.readyState === 'complete') {
    recordLoad();
  } else {
    window.addEventListener('load', recordLoad, { once: true });
  }
  setInterval(() => flush(false), FLUSH_EVERY_MS);
  window.addEventListener('pagehide', () => flush(true));
}

/**
 * Queues a timing.
 * @param {string} name e.g. `load`, `first_token`
 * @param {number} valueMs
 * @param {string} [requestId] the reply's request id
 */
export function recordTiming(name, valueMs, requestId) {
  const event = { kind: 'timing', name, valueMs: Math.round(valueMs) };
  if (requestId) {
    event.requestId = requestId;
  }
  enqueue(event);
}

function recordError(name, message, stack, url) {
  enqueue({
    kind: 'error',
    name: String(name).slice(0, 100),
    message: String(message ?? '').slice(0, MAX_TEXT),
    stack: typeof stack === 'string' ? stack.slice(0, MAX_STACK) : undefined,
    url: withoutQuery(url),
  });
}

function enqueue(event) {
  if (queue.length < MAX_QUEUED) {
    queue.push(event);
  }
}

/** Posts the next batch: at most 20 events and under the Api's size cap. */
function flush(keepalive) {
  if (!post || queue.length === 0 || !ready()) {
    return;
  }
  const batch = [];
  let bytes = 20;
  while (batch.length < MAX_EVENTS_PER_POST && queue.length > 0) {
    const size = encoder.encode(JSON.stringify(queue[0])).length + 1;
    if (batch.length > 0 && bytes + size > MAX_POST_BYTES) {
      break;
    }
    batch.push(queue.shift());
    bytes += size;
  }
  post(batch, keepalive);
}

function withoutQuery(url) {
  if (!url) {
    return location.origin + location.pathname;
  }
  try {
    const parsed = new URL(url, location.href);
    return (parsed.origin + parsed.pathname).slice(0, MAX_TEXT);
  } catch {
    return '';
  }
}
