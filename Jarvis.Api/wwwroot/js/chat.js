/**
 * The conversation over the WebSocket: an outbox of turns (typed or spoken) sent one at a time, the reply streaming
 * into its bubble, and spoken sentences handed to the audio queue. A turn waiting for the connection, or cut off by
 * a dropped connection before its `done`, stays queued (shown pending) and goes again once the socket is back.
 *
 * Events: `busy` (detail: whether a reply is in flight), `replied` (detail: {conversationId}), `refused`
 * (detail: {text}, a typed turn the server turned down, so the page can give it back).
 */
import { appendToken, assistantBubble, failReply, finishReply, hasText, setTranscript, setUserState, userBubble } from './messages.js';
import { recordTiming } from './telemetry.js';
import { showAlert } from './ui.js';

const MAX_ATTEMPTS = 3;
const NEAR_BOTTOM_PX = 80;
// The server may still be closing the last turn when its `done` arrives: a turn it answers `busy` goes again, a little
// later, this many times at most.
const BUSY_RETRY_MS = 250;
const MAX_BUSY_RETRIES = 8;

export class Chat extends EventTarget {
  #socket;
  #log;
  #player;
  #userId;
  #dashboardUrl;
  #queue = [];
  #inFlight = null;
  #expectAudio = false;
  #busyRetry = 0;
  #conversation = { id: null };
  #conversations = new Map();

  /**
   * @param {{socket: import('./socket.js').ChatSocket, log: HTMLElement, player: import('./player.js').AudioQueue,
   *   userId: () => string, dashboardUrl: () => string | null}} options
   */
  constructor({ socket, log, player, userId, dashboardUrl }) {
    super();
    this.#socket = socket;
    this.#log = log;
    this.#player = player;
    this.#userId = userId;
    this.#dashboardUrl = dashboardUrl;
    socket.addEventListener('open', () => this.#pump());
    socket.addEventListener('close', (event) => this.#dropped(event.detail.code));
    socket.addEventListener('event', (event) => this.#receive(event.detail));
    socket.addEventListener('binary', (event) => this.#receiveAudio(event.detail));
  }

  /** The id of the conversation shown, or null for a new one not yet answered. */
  get conversationId() {
    return this.#conversation.id;
  }

  /** Forgets every turn, queued or in flight, and empties the log (sign-out). */
  reset() {
    this.#cancelBusyRetry();
    this.#queue = [];
    this.#inFlight = null;
    this.#expectAudio = false;
    this.#conversations.clear();
    this.#player.clear();
    this.newConversation();
    this.#busy(false);
  }

  /** Shows an empty, new conversation. */
  newConversation() {
    this.#conversation = { id: null };
    this.#log.replaceChildren();
  }

  /**
   * Shows a stored conversation, with its turns still waiting to be sent or answered.
   * @param {string} conversationId
   * @param {Array<{role: string, text: string}>} turns
   */
  showConversation(conversationId, turns) {
    this.#conversation = this.#context(conversationId);
    const bubbles = turns.map((turn) => {
      if (turn.role === 'user') {
        return userBubble(turn.text);
      }
      const bubble = assistantBubble();
      finishReply(bubble, { reply: turn.text }, this.#dashboardUrl());
      return bubble;
    });
    for (const item of [this.#inFlight, ...this.#queue]) {
      if (item?.conversation === this.#conversation) {
        bubbles.push(...[item.user, item.reply].filter(Boolean));
      }
    }
    this.#log.replaceChildren(...bubbles);
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  /**
   * Queues a typed message and sends it as soon as the socket can take it.
   * @param {string} text
   * @param {boolean} speak whether the reply should be spoken too
   */
  sendText(text, speak) {
    this.#enqueue({ kind: 'text', text, speak, user: userBubble(text, { state: 'pending' }) });
  }

  /**
   * Queues a recorded voice message.
   * @param {ArrayBuffer} wav a 16 kHz mono 16-bit WAV
   * @param {string} language e.g. `en`
   */
  sendVoice(wav, language) {
    this.#enqueue({ kind: 'voice', wav, language, user: userBubble('Voice message', { voice: true, state: 'pending' }) });
  }

  /** Stops the reply in flight, and any speech playing. */
  stop() {
    this.#player.clear();
    if (this.#inFlight) {
      // Sentences already on their way are not played: the user asked for silence.
      this.#inFlight.muted = true;
      this.#socket.send({ type: 'stop' });
    }
  }

  #enqueue(item) {
    item.conversation = this.#conversation;
    item.reply = null;
    item.attempts = 0;
    item.busyRetries = 0;
    this.#queue.push(item);
    this.#show(item.user);
    this.#pump();
  }

  /** Sends the next queued turn when nothing is in flight and the socket is open. */
  #pump() {
    if (this.#inFlight || this.#busyRetry || this.#queue.length === 0 || !this.#socket.connected) {
      return;
    }
    const item = this.#queue.shift();
    if (!this.#transmit(item)) {
      this.#queue.unshift(item);
      return;
    }
    this.#inFlight = item;
    item.attempts += 1;
    item.muted = false;
    item.sentAt = performance.now();
    item.firstAt = null;
    if (item.kind === 'voice') {
      setUserState(item.user, 'pending', 'Transcribing…');
    } else {
      setUserState(item.user, 'done');
    }
    item.reply = assistantBubble();
    if (item.conversation === this.#conversation) {
      this.#show(item.reply);
    }
    this.#busy(true);
  }

  #transmit(item) {
    const target = { user_id: this.#userId() };
    if (item.conversation.id) {
      target.conversation_id = item.conversation.id;
    }
    if (item.kind === 'text') {
      return this.#socket.send({ type: 'message', text: item.text, ...target, speak: item.speak });
    }
    return this.#socket.send({ type: 'audio_start', ...target, language: item.language })
      && this.#socket.sendBinary(item.wav)
      && this.#socket.send({ type: 'audio_end' });
  }

  /** The socket closed: the turn in flight goes back to the head of the queue (unless it can never be sent). */
  #dropped(code) {
    this.#expectAudio = false;
    this.#cancelBusyRetry();
    const item = this.#inFlight;
    if (!item) {
      return;
    }
    this.#inFlight = null;
    item.reply.remove();
    item.reply = null;
    this.#busy(false);
    if (code === 1009) {
      this.#refuse(item, 'That message is too large for the connection, so it was not sent.');
    } else if (item.attempts >= MAX_ATTEMPTS) {
      this.#refuse(item, 'This message could not be delivered: the connection kept dropping.');
    } else {
      this.#queue.unshift(item);
      setUserState(item.user, 'pending');
    }
  }

  #receive(event) {
    const item = this.#inFlight;
    switch (event.type) {
      case 'transcript':
        if (item?.kind === 'voice') {
          setTranscript(item.user, String(event.text ?? ''), event.language);
          setUserState(item.user, 'done');
        }
        break;
      case 'token':
        if (item) {
          item.firstAt ??= performance.now();
          this.#keepScrolled(() => appendToken(item.reply, String(event.text ?? '')));
        }
        break;
      case 'audio':
        this.#expectAudio = true;
        break;
      case 'done':
        this.#finish(event);
        break;
      case 'error':
        this.#fail(event);
        break;
      default:
        // pong, and shutdown (the close that follows reconnects): nothing to show.
        break;
    }
  }

  #receiveAudio(bytes) {
    if (this.#expectAudio) {
      this.#expectAudio = false;
      if (this.#inFlight && !this.#inFlight.muted) {
        this.#player.enqueue(bytes);
      }
    }
  }

  #finish(done) {
    const item = this.#inFlight;
    if (!item) {
      return;
    }
    this.#inFlight = null;
    if (!item.conversation.id && done.conversation_id) {
      item.conversation.id = done.conversation_id;
      this.#conversations.set(done.conversation_id, item.conversation);
    }
    if (item.kind === 'voice' && item.user.dataset.state !== 'done') {
      setUserState(item.user, 'done');
    }
    const notes = [done.stopped ? 'Stopped.' : '', done.note ?? ''].filter(Boolean);
    const reply = typeof done.reply === 'string' ? done.reply : item.reply.querySelector('.message-body').textContent;
    this.#keepScrolled(() => finishReply(item.reply, { reply, responder: done.responder, traceId: done.trace_id, notes }, this.#dashboardUrl()));
    recordTiming('first_token', (item.firstAt ?? performance.now()) - item.sentAt, done.request_id);
    this.#busy(false);
    this.dispatchEvent(new CustomEvent('replied', { detail: { conversationId: item.conversation.id } }));
    this.#pump();
  }

  #fail({ code, message }) {
    const sentence = describeError(code, typeof message === 'string' ? message : '');
    const item = this.#inFlight;
    if (!item) {
      // While a turn waits to go again after `busy`, the rest of its frames (a voice message's audio and audio_end)
      // are answered with errors of their own: they say nothing new.
      if (!this.#busyRetry) {
        showAlert(sentence);
      }
      return;
    }
    this.#inFlight = null;
    this.#expectAudio = false;
    if (code === 'busy' && !hasText(item.reply) && item.busyRetries < MAX_BUSY_RETRIES) {
      // The server had not quite finished the previous turn: this one was not taken, so it goes again shortly.
      item.busyRetries += 1;
      item.attempts -= 1;
      item.reply.remove();
      item.reply = null;
      setUserState(item.user, 'pending');
      this.#queue.unshift(item);
      this.#busy(false);
      this.#busyRetry = setTimeout(() => {
        this.#busyRetry = 0;
        this.#pump();
      }, BUSY_RETRY_MS * item.busyRetries);
      return;
    }
    this.#busy(false);
    if (hasText(item.reply) || code === 'llm_failed') {
      // The server took the turn and the reply broke: keep what was said.
      setUserState(item.user, 'done');
      failReply(item.reply, sentence);
      showAlert(sentence);
    } else {
      item.reply.remove();
      item.reply = null;
      this.#refuse(item, sentence);
    }
    this.#pump();
  }

  /** Marks a turn as not taken, says why, and hands a typed one back to the page. */
  #refuse(item, sentence) {
    setUserState(item.user, 'error', sentence);
    showAlert(sentence);
    if (item.kind === 'text') {
      this.dispatchEvent(new CustomEvent('refused', { detail: { text: item.text } }));
    }
  }

  #cancelBusyRetry() {
    clearTimeout(this.#busyRetry);
    this.#busyRetry = 0;
  }

  #busy(busy) {
    this.dispatchEvent(new CustomEvent('busy', { detail: busy }));
  }

  #context(conversationId) {
    let context = this.#conversations.get(conversationId);
    if (!context) {
      context = { id: conversationId };
      this.#conversations.set(conversationId, context);
    }
    return context;
  }

  #show(bubble) {
    this.#keepScrolled(() => this.#log.append(bubble));
  }

  /** Runs a change to the log, then keeps the newest message in view if the reader was at the bottom. */
  #keepScrolled(change) {
    const log = this.#log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
    change();
    if (atBottom) {
      log.scrollTop = log.scrollHeight;
    }
  }
}

/**
 * A plain sentence for a WebSocket `error` event.
 * @param {string} code
 * @param {string} message the server's message
 * @returns {string}
 */
export function describeError(code, message) {
  switch (code) {
    case 'rate_limited':
      return message || 'You are sending messages too quickly; wait a moment and try again.';
    case 'message_too_large':
      return message || 'That message is too long.';
    case 'llm_failed':
      return `Jarvis could not get an answer from its language model.${message ? ` ${message}` : ''}`;
    case 'voice_unavailable':
      return `Voice is unavailable right now.${message ? ` ${message}` : ''}`;
    case 'no_speech':
      return 'Jarvis did not hear any speech in that recording. Try again, a little closer to the microphone.';
    case 'bad_request':
      return `Jarvis could not understand that request.${message ? ` ${message}` : ''}`;
    case 'busy':
      return 'Jarvis is still answering the previous message. Wait for it to finish, or press Stop.';
    default:
      return message || 'Something went wrong. Try again.';
  }
}
