export class Studies {
  constructor(map, root) { this.map = map; this.root = root; }
  async setDataset(name) { this.dataset = name; }
}
