/**
 * The chat WebSocket: connects with a fresh token, reconnects with jittered exponential backoff, and reports what
 * the server says as events: `open`, `close` (detail {code}), `event` (detail: the parsed JSON) and `binary`
 * (detail: an ArrayBuffer). When the key itself is refused the socket gives up (the Api module signs out).
 * A `ping` goes out when the server has been quiet for a while; a connection silent for much longer is taken for
 * dead (a half-open connection never fires `close` by itself) and replaced.
 */

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
const PING_AFTER_MS = 30_000;
// Generous: the server reads no frame (so answers no ping) while it transcribes a voice message.
const DEAD_AFTER_MS = 120_000;
// The close code reported when the page gave up on a silent connection (4000–4999 is for applications).
const SILENT_CLOSE = 4000;

export class ChatSocket extends EventTarget {
  #getToken;
  #ws = null;
  #running = false;
  #attempt = 0;
  #timer = 0;
  #connecting = false;
  #generation = 0;
  #heartbeat = 0;
  #lastHeard = 0;
  #onOnline = () => this.#reconnectNow();

  /** @param {() => Promise<string>} getToken a fresh token for each connection */
  constructor(getToken) {
    super();
    this.#getToken = getToken;
  }

  /** Whether the socket is open. */
  get connected() {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Connects, and keeps reconnecting until stop(). */
  start() {
    if (this.#running) {
      return;
    }
    this.#running = true;
    this.#generation += 1;
    this.#attempt = 0;
    window.addEventListener('online', this.#onOnline);
    this.#connect();
  }

  /** Closes the socket for good (sign-out). */
  stop() {
    this.#running = false;
    this.#generation += 1;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    window.removeEventListener('online', this.#onOnline);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000, 'signed out');
  }

  /**
   * Sends a JSON text frame.
   * @param {object} message
   * @returns {boolean} false when the socket is not open
   */
  send(message) {
    if (!this.connected) {
      return false;
    }
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  /**
   * Sends a binary frame.
   * @param {ArrayBuffer} bytes
   * @returns {boolean} false when the socket is not open
   */
  sendBinary(bytes) {
    if (!this.connected) {
      return false;
    }
    this.#ws.send(bytes);
    return true;
  }

  async #connect() {
    // A stop() (and maybe a new start()) during the token request makes this attempt stale: it must not open a socket.
    const generation = this.#generation;
    let token;
    this.#connecting = true;
    try {
      token = await this.#getToken();
    } catch (error) {
      if (generation !== this.#generation) {
        return;
      }
      if (error.status === 401) {
        this.stop();
      } else {
        this.#scheduleReconnect();
      }
      return;
    } finally {
      if (generation === this.#generation) {
        this.#connecting = false;
      }
    }
    if (!this.#running || generation !== this.#generation) {
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws?access_token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.addEventListener('open', () => {
      if (this.#ws !== ws) {
        return;
      }
      this.#attempt = 0;
      this.#lastHeard = Date.now();
      clearInterval(this.#heartbeat);
      this.#heartbeat = setInterval(() => this.#checkAlive(ws), PING_AFTER_MS);
      this.dispatchEvent(new Event('open'));
    });
    ws.addEventListener('message', (message) => {
      if (this.#ws === ws) {
        this.#lastHeard = Date.now();
        this.#receive(message.data);
      }
    });
    ws.addEventListener('close', (close) => this.#closed(ws, close.code));
  }

  /** The socket is gone (closed, or given up on): reports it once, and reconnects. */
  #closed(ws, code) {
    if (this.#ws !== ws) {
      return;
    }
    this.#ws = null;
    clearInterval(this.#heartbeat);
    this.dispatchEvent(new CustomEvent('close', { detail: { code } }));
    this.#scheduleReconnect();
  }

  /** Pings a quiet connection; gives up on one silent for too long (its close may take minutes to come). */
  #checkAlive(ws) {
    if (this.#ws !== ws) {
      return;
    }
    const silentFor = Date.now() - this.#lastHeard;
    if (silentFor >= DEAD_AFTER_MS) {
      this.#closed(ws, SILENT_CLOSE);
      ws.close(SILENT_CLOSE, 'no answer');
    } else if (silentFor >= PING_AFTER_MS - 1_000) {
      this.send({ type: 'ping' });
    }
  }

  #receive(data) {
    if (data instanceof ArrayBuffer) {
      this.dispatchEvent(new CustomEvent('binary', { detail: data }));
      return;
    }
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return; // Not JSON: nothing this page understands.
    }
    if (event && typeof event.type === 'string') {
      this.dispatchEvent(new CustomEvent('event', { detail: event }));
    }
  }

  #scheduleReconnect() {
    if (!this.#running) {
      return;
    }
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.#attempt);
    const delay = Math.min(MAX_DELAY_MS, base * (0.8 + Math.random() * 0.4));
    this.#attempt += 1;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #reconnectNow() {
    if (this.#running && !this.#ws && !this.#connecting) {
      clearTimeout(this.#timer);
      this.#connect();
    }
  }
}
