/**
 * The conversation list (`#conversations`): newest first, one button per conversation, the shown one marked with
 * aria-current.
 */
import { apiJson, forUser } from './api.js';
import { el, formatDate, showAlert } from './ui.js';

export class ConversationList {
  #list;
  #onSelect;
  #current = null;
  #load = 0; // the latest refresh: an older one answering late (or one from before sign-out) is not shown

  /**
   * @param {HTMLElement} list the `<ul>`
   * @param {(conversationId: string) => void} onSelect called when one is picked
   */
  constructor(list, onSelect) {
    this.#list = list;
    this.#onSelect = onSelect;
  }

  /**
   * Reloads the list from the Api; a failure is shown as an alert and keeps the old list.
   * @returns {Promise<void>}
   */
  async refresh() {
    const load = ++this.#load;
    let conversations;
    try {
      ({ conversations } = await apiJson(forUser('/api/conversations')));
    } catch (error) {
      if (load === this.#load && error.status !== 401) { // 401: the key was refused and the page is back at sign-in
        showAlert(`The conversation list could not be loaded. ${error.message}`);
      }
      return;
    }
    if (load !== this.#load) {
      return;
    }
    this.#list.replaceChildren(...(conversations.length
      ? conversations.map((conversation) => this.#item(conversation))
      : [el('li', { className: 'empty', text: 'No conversations yet.' })]));
    this.#mark();
  }

  /**
   * Marks the conversation shown.
   * @param {string | null} conversationId null for a new conversation
   */
  setCurrent(conversationId) {
    this.#current = conversationId;
    this.#mark();
  }

  /** Empties the list (sign-out). */
  clear() {
    this.#load += 1;
    this.#current = null;
    this.#list.replaceChildren();
  }

  #item({ conversationId, title, updatedAt, turns }) {
    const button = el('button', { className: 'conversation', attrs: { type: 'button', 'data-id': conversationId } }, [
      el('span', { className: 'conversation-title', text: title || 'Untitled conversation' }),
      el('span', { className: 'conversation-meta', text: `${formatDate(updatedAt)} · ${turns} ${turns === 1 ? 'turn' : 'turns'}` }),
    ]);
    button.addEventListener('click', () => this.#onSelect(conversationId));
    return el('li', {}, [button]);
  }

  #mark() {
    for (const button of this.#list.querySelectorAll('button.conversation')) {
      if (button.dataset.id === this.#current) {
        button.setAttribute('aria-current', 'true');
      } else {
        button.removeAttribute('aria-current');
      }
    }
  }
}
