export class Planner {
  constructor(map, root) { this.map = map; this.root = root; }
  setDataset(name) { this.dataset = name; }
}
