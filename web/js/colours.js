// One colour per model for the whole page (families keep their hue: Opus violet, Sonnet teal,
// Haiku amber), stable while the page lives.

const PALETTE = ['#7c3aed', '#0d9488', '#d97706', '#2563eb', '#db2777', '#65a30d', '#dc2626', '#0891b2', '#9333ea', '#ca8a04'];
const FAMILY = [[/opus/, ['#7c3aed', '#a78bfa', '#5b21b6', '#c4b5fd']], [/sonnet/, ['#0d9488', '#2dd4bf', '#115e59', '#5eead4']],
  [/haiku/, ['#d97706', '#fbbf24', '#92400e', '#fcd34d']]];
const colourOf = new Map();
export function modelColour(model) {
  if (colourOf.has(model)) return colourOf.get(model);
  let colour = null;
  for (const [pattern, shades] of FAMILY) {
    if (!pattern.test(model)) continue;
    const used = [...colourOf.values()];
    colour = shades.find((c) => !used.includes(c)) || null;
    break;
  }
  if (!colour) colour = PALETTE.find((c) => ![...colourOf.values()].includes(c)) || PALETTE[colourOf.size % PALETTE.length];
  colourOf.set(model, colour);
  return colour;
}
