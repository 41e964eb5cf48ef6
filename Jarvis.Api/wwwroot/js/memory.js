/**
 * The memory panel (`#memory-panel`, a `<dialog>`): what Jarvis remembers about the user, each with Delete; Export as
 * a JSON download; and Forget everything, behind a second, explicit confirmation button.
 */
import { apiFetch, apiJson, forUser } from './api.js';
import { el, formatDate } from './ui.js';

const EMPTY = "Jarvis doesn't remember anything about you yet.";

export class MemoryPanel {
  #dialog;
  #list;
  #status;
  #confirm;
  #onForgotten;

  /**
   * @param {HTMLDialogElement} dialog the panel, holding #memory-list, #memory-status, #memory-confirm and its buttons
   * @param {() => void} onForgotten called after everything was forgotten (conversations are gone too)
   */
  constructor(dialog, onForgotten) {
    this.#dialog = dialog;
    this.#list = dialog.querySelector('#memory-list');
    this.#status = dialog.querySelector('#memory-status');
    this.#confirm = dialog.querySelector('#memory-confirm');
    this.#onForgotten = onForgotten;
    dialog.querySelector('#memory-close').addEventListener('click', () => this.close());
    dialog.querySelector('#memory-export').addEventListener('click', () => this.#export());
    dialog.querySelector('#memory-forget').addEventListener('click', () => this.#askToForget(true));
    dialog.querySelector('#memory-forget-cancel').addEventListener('click', () => this.#askToForget(false));
    dialog.querySelector('#memory-forget-confirm').addEventListener('click', () => this.#forgetAll());
    dialog.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.close();
      }
    });
  }

  /**
   * Opens the panel and loads the memories.
   * @returns {Promise<void>}
   */
  async open() {
    this.#askToForget(false);
    this.#say('');
    if (!this.#dialog.open) {
      this.#dialog.showModal();
    }
    await this.#load();
  }

  /** Closes the panel. */
  close() {
    if (this.#dialog.open) {
      this.#dialog.close();
    }
  }

  async #load() {
    this.#list.replaceChildren(el('li', { className: 'empty', text: 'Loading…' }));
    try {
      const { memories } = await apiJson(forUser('/api/memories'));
      this.#list.replaceChildren(...memories.map((memory) => this.#item(memory)));
      this.#showEmpty();
    } catch (error) {
      this.#list.replaceChildren();
      this.#say(`Your memories could not be loaded. ${error.message}`);
    }
  }

  #item({ id, text, kind, createdAt }) {
    const remove = el('button', { className: 'memory-delete', text: 'Delete', attrs: { type: 'button', 'aria-label': `Delete memory: ${text}` } });
    const item = el('li', { className: 'memory', attrs: { 'data-id': id } }, [
      el('p', { className: 'memory-text', text }),
      el('p', { className: 'memory-meta' }, [
        el('time', { text: formatDate(createdAt), attrs: { datetime: createdAt } }),
        ...(kind ? [` · ${kind}`] : []),
      ]),
      remove,
    ]);
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      try {
        await apiFetch(forUser(`/api/memories/${encodeURIComponent(id)}`), { method: 'DELETE' });
      } catch (error) {
        if (error.status !== 404) {
          remove.disabled = false;
          this.#say(`That memory could not be deleted. ${error.message}`);
          return;
        }
      }
      item.remove();
      this.#say('Memory deleted.');
      this.#showEmpty();
      this.#dialog.querySelector('#memory-close').focus();
    });
    return item;
  }

  async #export() {
    try {
      const response = await apiFetch(forUser('/api/memories/export'), { headers: { Accept: 'application/json' } });
      const url = URL.createObjectURL(await response.blob());
      const link = el('a', { attrs: { href: url, download: 'jarvis-memories.json' } });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.#say('Your memories were exported as jarvis-memories.json.');
    } catch (error) {
      this.#say(`The export failed. ${error.message}`);
    }
  }

  #askToForget(asking) {
    this.#confirm.hidden = !asking;
    if (asking) {
      this.#dialog.querySelector('#memory-forget-confirm').focus();
    }
  }

  async #forgetAll() {
    try {
      const { deleted } = await apiJson(forUser('/api/memories'), { method: 'DELETE' });
      this.#askToForget(false);
      this.#dialog.querySelector('#memory-forget').focus();
      this.#list.replaceChildren();
      this.#showEmpty();
      this.#say(`Forgot ${deleted} ${deleted === 1 ? 'memory' : 'memories'}.`);
      this.#onForgotten();
    } catch (error) {
      this.#say(`Jarvis could not forget everything. ${error.message}`);
    }
  }

  #showEmpty() {
    if (!this.#list.querySelector('li.memory')) {
      this.#list.replaceChildren(el('li', { className: 'empty', text: EMPTY }));
    }
  }

  #say(message) {
    this.#status.textContent = message;
  }
}
