// The editor's snapping and undo, as pure functions of millimetres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { linesFor, snapMove, snapResize, GRID_MM, REACH_MM } from "../snap.js";
import { History, valuesBefore } from "../history.js";

const page = { width: 297, height: 210 };
const boxes = [
  { element: 0, x: 30, y: 40, w: 100, h: 20 },
  { element: 1, x: 200, y: 150, w: 30, h: 30 },
];

test("a box dragged near another's edge or centre lands on it", () => {
  const lines = linesFor(boxes, 1, page);
  // Its left edge 1 mm from the other's left edge (30): pulled onto it.
  assert.deepEqual(snapMove(boxes[1], 31, 100.4, lines, page), { x: 30, y: 100, guides: { x: 30, y: null } });
  // Its centre (x + 15) near the other's centre (80).
  assert.deepEqual(snapMove(boxes[1], 64.2, 120.6, lines, page).x, 65);
  // Its bottom near the page's middle (105).
  const m = snapMove(boxes[1], 250.3, 74.2, lines, page);
  assert.equal(m.y, 75);
  assert.equal(m.guides.y, 105);
});

test("away from every line, a box keeps to the 1 mm grid", () => {
  const lines = linesFor(boxes, 1, page);
  const m = snapMove(boxes[1], 250.3, 120.6, lines, page);
  assert.deepEqual([m.x, m.y], [250, 121]);
  assert.equal(GRID_MM, 1);
  assert.ok(REACH_MM < 2);
});

test("snapping off keeps tenths; a box never leaves the page", () => {
  const lines = linesFor(boxes, 1, page);
  assert.deepEqual(snapMove(boxes[1], 31.04, 100.46, lines, page, false).x, 31);
  assert.deepEqual(snapMove(boxes[1], 31.04, 100.46, lines, page, false).y, 100.5);
  const out = snapMove(boxes[1], -12, 400, lines, page);
  assert.deepEqual([out.x, out.y], [0, 180]);
});

test("a resized box's corner snaps, a QR code stays square, and none shrinks to nothing", () => {
  const lines = linesFor(boxes, 1, page);
  const r = snapResize(boxes[0], 99.2, 20.4, linesFor(boxes, 0, page), page);
  assert.deepEqual([r.w, r.h], [99, 20]);
  const q = snapResize(boxes[1], 40.2, 31, lines, page, true, true);
  assert.equal(q.w, q.h);
  assert.equal(q.w, 40);
  const tiny = snapResize(boxes[0], -50, -50, lines, page);
  assert.deepEqual([tiny.w, tiny.h], [2, 2]);
});

test("undo gives back the values before, redo the values after, and a new change ends redo", () => {
  const h = new History();
  assert.equal(h.undo(), null);
  h.record(1, valuesBefore({ x: 200, y: 150, font: undefined }, { element: 1, x: 20, font: "EB Garamond" }), { x: 20, font: "EB Garamond" });
  h.record(0, { size: 20 }, { size: 24 });
  assert.deepEqual(h.undo(), { element: 0, values: { size: 20 } });
  assert.deepEqual(h.undo(), { element: 1, values: { x: 200, font: null } });
  assert.deepEqual(h.redo(), { element: 1, values: { x: 20, font: "EB Garamond" } });
  assert.ok(h.canRedo);
  h.record(0, { y: 1 }, { y: 2 });
  assert.ok(!h.canRedo);
  // A refused undo puts the step back.
  h.undo();
  h.putBack(true);
  assert.deepEqual(h.undo(), { element: 0, values: { y: 1 } });
});
