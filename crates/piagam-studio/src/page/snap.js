// Snapping a box as it is dragged or resized: to the other boxes' edges
// and centres and the page's, when one is within reach, else to the 1 mm
// grid. Pure functions of millimetres, so they are tested under Node.

export const GRID_MM = 1;
/// How near (in mm) an edge or centre must come to pull the box onto it.
export const REACH_MM = 1.5;
/// The smallest box the editor makes.
export const MIN_MM = 2;

const round = (mm, step) => Math.round(mm / step) * step;
// Lengths are kept to 0.1 mm, as the template file keeps them.
const tenth = (mm) => Math.round(mm * 10) / 10;

/// The lines a box may snap to: every other box's left, centre and right
/// (and top, middle, bottom), and the page's.
export function linesFor(boxes, movingElement, page) {
  const xs = [0, page.width / 2, page.width];
  const ys = [0, page.height / 2, page.height];
  for (const b of boxes) {
    if (b.element === movingElement) continue;
    xs.push(b.x, b.x + b.w / 2, b.x + b.w);
    ys.push(b.y, b.y + b.h / 2, b.y + b.h);
  }
  return { xs, ys };
}

/// The nearest line to any of `anchors` within reach: the shift that puts
/// that anchor on it, and the line; or null.
function nearest(anchors, lines) {
  let best = null;
  for (const a of anchors) {
    for (const line of lines) {
      const d = Math.abs(line - a);
      if (d <= REACH_MM && (!best || d < best.distance)) best = { distance: d, shift: line - a, line };
    }
  }
  return best;
}

function along(start, length, lines, enabled) {
  if (!enabled) return { start: tenth(start), guide: null };
  const hit = nearest([start, start + length / 2, start + length], lines);
  if (hit) return { start: tenth(start + hit.shift), guide: hit.line };
  return { start: round(start, GRID_MM), guide: null };
}

/// Where a box dragged to (x, y) lands, kept on the page; `guides` are
/// the lines it snapped to, to draw.
export function snapMove(box, x, y, lines, page, enabled = true) {
  const sx = along(x, box.w, lines.xs, enabled);
  const sy = along(y, box.h, lines.ys, enabled);
  return {
    x: tenth(clamp(sx.start, 0, page.width - box.w)),
    y: tenth(clamp(sy.start, 0, page.height - box.h)),
    guides: { x: sx.guide, y: sy.guide },
  };
}

/// The size a box resized from its bottom-right corner to (w, h) takes: its
/// right and bottom edges snap as its position does. A QR code stays square.
export function snapResize(box, w, h, lines, page, enabled = true, square = false) {
  const edge = (start, length, all) => {
    const end = start + length;
    if (!enabled) return { end: tenth(end), guide: null };
    const hit = nearest([end], all);
    return hit ? { end: tenth(hit.line), guide: hit.line } : { end: round(end, GRID_MM), guide: null };
  };
  const right = edge(box.x, w, lines.xs);
  const bottom = edge(box.y, h, lines.ys);
  let nw = clamp(right.end - box.x, MIN_MM, page.width - box.x);
  let nh = clamp(bottom.end - box.y, MIN_MM, page.height - box.y);
  if (square) {
    nw = nh = Math.min(Math.max(nw, nh), page.width - box.x, page.height - box.y);
  }
  return { w: tenth(nw), h: tenth(nh), guides: { x: square ? null : right.guide, y: square ? null : bottom.guide } };
}

export function clamp(value, low, high) {
  return Math.min(Math.max(value, low), Math.max(low, high));
}
