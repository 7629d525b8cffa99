// Undo and redo for the design editor: each step is one box's values
// before and after a change, so undoing it is sending the old values back.

export class History {
  constructor(limit = 200) {
    this.limit = limit;
    this.done = [];
    this.undone = [];
  }

  /// Another design: its steps are not this one's.
  clear() {
    this.done = [];
    this.undone = [];
  }

  /// A change made: `before` and `after` hold the same keys.
  record(element, before, after) {
    this.done.push({ element, before, after });
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /// The change that undoes the last one: { element, values }, or null.
  undo() {
    const step = this.done.pop();
    if (!step) return null;
    this.undone.push(step);
    return { element: step.element, values: step.before };
  }

  redo() {
    const step = this.undone.pop();
    if (!step) return null;
    this.done.push(step);
    return { element: step.element, values: step.after };
  }

  /// The server refused the undo or redo: the step goes back where it was.
  putBack(wasUndo) {
    if (wasUndo) this.done.push(this.undone.pop());
    else this.undone.push(this.done.pop());
  }
}

/// The values of `box` under the keys `change` sets, to undo it.
export function valuesBefore(box, change) {
  const before = {};
  for (const key of Object.keys(change)) {
    if (key === "element") continue;
    before[key] = box[key] === undefined ? null : structuredClone(box[key]);
  }
  return before;
}
