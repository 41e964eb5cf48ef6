/**
 * The message bubbles of the log. User text is always plain text; a finished reply is rendered as safe Markdown.
 * Hooks: `.message.user` / `.message.assistant` (`.voice` for a voice message) with `data-state`
 * (`pending|streaming|done|error`), `.message-body`, `.message-status`, `.note`, `.responder`, `.trace-link`, `.copy`.
 */
import { renderMarkdown } from './markdown.js';
import { el } from './ui.js';

const COPIED_FOR_MS = 1_500;

/**
 * A user message bubble.
 * @param {string} text shown as plain text
 * @param {{voice?: boolean, state?: string}} [options]
 * @returns {HTMLElement}
 */
export function userBubble(text, { voice = false, state = 'done' } = {}) {
  const bubble = el('div', { className: `message user${voice ? ' voice' : ''}` }, [
    el('span', { className: 'visually-hidden', text: voice ? 'You said (voice):' : 'You:' }),
    el('div', { className: 'message-body', text }),
    el('p', { className: 'message-status' }),
  ]);
  setUserState(bubble, state);
  return bubble;
}

/**
 * Sets a user bubble's state and its status line.
 * @param {HTMLElement} bubble
 * @param {'pending'|'done'|'error'} state
 * @param {string} [status] e.g. why it failed; pending has a default
 */
export function setUserState(bubble, state, status) {
  bubble.dataset.state = state;
  const line = bubble.querySelector('.message-status');
  line.textContent = status ?? (state === 'pending' ? 'Waiting to send…' : '');
  line.hidden = !line.textContent;
}

/**
 * Shows a voice message's transcript in its bubble.
 * @param {HTMLElement} bubble
 * @param {string} text
 * @param {string} [language] the recognised language, e.g. `fr`
 */
export function setTranscript(bubble, text, language) {
  const body = bubble.querySelector('.message-body');
  body.textContent = text;
  if (language) {
    body.lang = language;
  }
}

/**
 * An assistant bubble, streaming: tokens arrive as plain text.
 * @returns {HTMLElement}
 */
export function assistantBubble() {
  // aria-busy: the log (a live region) announces the reply once it is whole, not token by token.
  return el('div', { className: 'message assistant', attrs: { 'data-state': 'streaming', 'aria-busy': 'true' } }, [
    el('span', { className: 'visually-hidden', text: 'Jarvis:' }),
    el('div', { className: 'message-body' }),
  ]);
}

/**
 * Appends streamed text to a reply.
 * @param {HTMLElement} bubble
 * @param {string} text
 */
export function appendToken(bubble, text) {
  bubble.querySelector('.message-body').append(text);
}

/**
 * Finishes a reply: renders its Markdown, and adds its note, responder, trace link and Copy button.
 * @param {HTMLElement} bubble
 * @param {{reply: string, responder?: string, traceId?: string, notes?: Array<string>}} reply
 * @param {string | null} dashboardUrl the Aspire dashboard, or null when the Api does not know it
 */
export function finishReply(bubble, { reply, responder, traceId, notes = [] }, dashboardUrl) {
  bubble.dataset.state = 'done';
  bubble.removeAttribute('aria-busy');
  bubble.querySelector('.message-body').replaceChildren(renderMarkdown(reply));
  for (const note of notes) {
    bubble.append(el('p', { className: 'note', text: note }));
  }
  const meta = el('div', { className: 'message-meta' });
  if (responder) {
    meta.append(el('span', { className: 'responder', text: responder, attrs: { title: 'Who answered' } }));
  }
  if (traceId) {
    meta.append(traceLink(traceId, dashboardUrl));
  }
  meta.append(copyButton(reply));
  bubble.append(meta);
}

/**
 * Marks a reply as failed, keeping what streamed so far.
 * @param {HTMLElement} bubble
 * @param {string} message a plain sentence
 */
export function failReply(bubble, message) {
  bubble.dataset.state = 'error';
  bubble.removeAttribute('aria-busy');
  bubble.append(el('p', { className: 'note', text: message }));
}

/** Whether a reply has any streamed text yet. */
export function hasText(bubble) {
  return bubble.querySelector('.message-body').textContent.length > 0;
}

function traceLink(traceId, dashboardUrl) {
  if (dashboardUrl) {
    return el('a', {
      className: 'trace-link',
      text: 'Why this answer?',
      attrs: {
        href: `${dashboardUrl}/traces/detail/${encodeURIComponent(traceId)}`,
        target: '_blank',
        rel: 'noopener noreferrer',
      },
    });
  }
  return el('span', {
    className: 'trace-link',
    text: `Trace ${traceId}`,
    attrs: { title: 'The Aspire dashboard is not configured, so this trace cannot be opened from here.' },
  });
}

function copyButton(text) {
  const button = el('button', { className: 'copy', text: 'Copy', attrs: { type: 'button', 'aria-label': 'Copy reply' } });
  button.addEventListener('click', () => {
    navigator.clipboard?.writeText(text).then(() => {
      button.textContent = 'Copied';
      setTimeout(() => {
        button.textContent = 'Copy';
      }, COPIED_FOR_MS);
    }, () => {
      // No clipboard access (an insecure page, or denied): nothing useful to say.
    });
  });
  return button;
}
