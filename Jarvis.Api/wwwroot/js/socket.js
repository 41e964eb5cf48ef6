/**
 * The chat WebSocket: connects with a fresh token, reconnects with jittered exponential backoff, and reports what
 * the server says as events: `open`, `close` (detail {code}), `event` (detail: the parsed JSON) and `binary`
 * (detail: an ArrayBuffer). When the key itself is refused the socket gives up (the Api module signs out).
 */

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

export class ChatSocket extends EventTarget {
  #getToken;
  #ws = null;
  #running = false;
  #attempt = 0;
  #timer = 0;
  #connecting = false;
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
    this.#attempt = 0;
    window.addEventListener('online', this.#onOnline);
    this.#connect();
  }

  /** Closes the socket for good (sign-out). */
  stop() {
    this.#running = false;
    clearTimeout(this.#timer);
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
    let token;
    this.#connecting = true;
    try {
      token = await this.#getToken();
    } catch (error) {
      if (error.status === 401) {
        this.stop();
      } else {
        this.#scheduleReconnect();
      }
      return;
    } finally {
      this.#connecting = false;
    }
    if (!this.#running) {
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws?access_token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.addEventListener('open', () => {
      this.#attempt = 0;
      this.dispatchEvent(new Event('open'));
    });
    ws.addEventListener('message', (message) => this.#receive(message.data));
    ws.addEventListener('close', (close) => {
      if (this.#ws !== ws) {
        return;
      }
      this.#ws = null;
      this.dispatchEvent(new CustomEvent('close', { detail: { code: close.code } }));
      this.#scheduleReconnect();
    });
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
