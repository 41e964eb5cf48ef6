/**
 * Small DOM helpers shared by the page's modules: element creation (text only, never HTML), the alert region, and
 * date formatting.
 */

const MAX_ALERTS = 3;
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Creates an element.
 * @param {string} tag
 * @param {{className?: string, text?: string, attrs?: Record<string, string>}} [options] text is set as textContent
 * @param {Array<Node>} [children]
 * @returns {HTMLElement}
 */
export function el(tag, { className, text, attrs } = {}, children = []) {
  const element = document.createElement(tag);
  if (className) {
    element.className = className;
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  for (const [name, value] of Object.entries(attrs ?? {})) {
    element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

/**
 * Shows a plain sentence in the `#alerts` region (role="alert"), with a Dismiss button; the oldest of more than
 * three goes.
 * @param {string} message
 */
export function showAlert(message) {
  const region = document.getElementById('alerts');
  const dismiss = el('button', { className: 'alert-dismiss', text: '×', attrs: { type: 'button', 'aria-label': 'Dismiss' } });
  const alert = el('div', { className: 'alert' }, [el('p', { text: message }), dismiss]);
  dismiss.addEventListener('click', () => alert.remove());
  region.append(alert);
  while (region.children.length > MAX_ALERTS) {
    region.firstElementChild.remove();
  }
}

/** Empties the `#alerts` region. */
export function clearAlerts() {
  document.getElementById('alerts').replaceChildren();
}

/**
 * A date for people, in their locale; empty for an unparsable value.
 * @param {string} iso an ISO 8601 date
 * @returns {string}
 */
export function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}
