// The few DOM helpers every view uses.

export function $(id) { return document.getElementById(id); }
export function el(tag, options, children) {
  const node = document.createElement(tag);
  if (options) {
    for (const [key, value] of Object.entries(options)) {
      if (value === undefined || value === null) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(key, value);
    }
  }
  for (const child of children || []) if (child) node.append(child);
  return node;
}
// Sets a number's text and raw value, only when it changed (no flicker, no reflow).
export function setNumber(node, value, text, title) {
  if (!node) return;
  const raw = String(value);
  if (node.dataset.value !== raw || node.textContent !== text) {
    node.dataset.value = raw;
    node.textContent = text;
  }
  if (title !== undefined) node.title = title;
}
