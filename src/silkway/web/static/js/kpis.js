// Human names and units of the simulation's KPIs (ids such as max_queue_trains_fy_kuryk_alat_quay), with the
// dataset's place names for the facility or border a KPI is about. Unknown ids fall back to spaced words.

const DIRECTIONS = ["westbound", "eastbound"];
const FIXED = {
  delivered_teu: ["containers delivered", "TEU"], generated_teu: ["containers generated", "TEU"],
  diverted_teu: ["containers diverted", "TEU"], refused_teu: ["containers refused", "TEU"], held_teu: ["containers held at origin at some point", "TEU"],
  held_days_median: ["days held at origin, median", "days"], held_days_p90: ["days held at origin, P90", "days"],
  held_share: ["share held at origin", "%"], in_system_containers_end: ["containers still in the system at the end", "TEU"],
  trains_arrived: ["trains arrived", "trains"], trains_departed: ["trains departed", "trains"],
  trans_caspian_teu: ["Trans-Caspian containers", "TEU"], trans_caspian_mt: ["Trans-Caspian cargo", "Mt"],
  trans_caspian_container_t: ["Trans-Caspian container cargo", "t"], trans_caspian_other_t: ["Trans-Caspian other cargo", "t"],
  trans_caspian_all_cargo_t: ["Trans-Caspian cargo, all", "t"],
  transit_days_median: ["transit door to door, median", "days"], transit_days_p90: ["transit door to door, P90", "days"],
};
const PATTERNS = [
  [/^throughput_teu_corridor_(.+)$/, (c) => [`delivered on the ${c} corridor`, "TEU"]],
  [/^transit_days_median_corridor_(.+)$/, (c) => [`transit on the ${c} corridor, median`, "days"]],
  [/^transit_days_p90_corridor_(.+)$/, (c) => [`transit on the ${c} corridor, P90`, "days"]],
  [/^max_queue_trains_(.+)$/, (f, place) => [`longest queue at ${place(f)}`, "trains"]],
  [/^trains_border_(.+)$/, (f, place) => [`trains across the border at ${place(f)}`, "trains"]],
  [/^(diverted|refused|held)_teu_(.+)$/, (what, rest) => [`containers ${what === "held" ? "held at origin" : what}: ${rest.replaceAll("_", " ")}`, "TEU"]],
];

// place(id): what a KPI's suffix names, in words: a facility ("Dostyk gauge change"), a vessel link's quay
// ("Kuryk ferry quay, to Baku/Alat") or a node; map is the CorridorMap (its network holds the names).
const KIND_WORDS = { border: "border", gauge_change: "gauge change", seaport: "port", terminal: "terminal", dry_port: "dry port" };
export function placeOf(map) {
  const facilities = Object.keys(map.facilityNode || {}).sort((a, b) => b.length - a.length);
  const links = Object.keys(map.linkById || {}).sort((a, b) => b.length - a.length);
  return (id) => {
    const fac = facilities.find((f) => id === f || id.startsWith(`${f}_`));
    if (fac) return `${map.name(map.facilityNode[fac])} ${KIND_WORDS[map.facilityKind[fac]] || (map.facilityKind[fac] || "").replaceAll("_", " ")}`.trim();
    const link = links.find((l) => id === l || id.startsWith(`${l}_`));
    if (link) { // "<link>_quay_<node>": the quay of a vessel link at one of its ends
      const p = map.linkById[link];
      const at = id.slice(link.length + 1).replace(/^quay_?/, "");
      const end = at && p.to.startsWith(at) && !p.from.startsWith(at) ? p.to : p.from;
      return `${map.name(end)} ${p.mode === "sea" ? "ship" : p.mode} quay (${map.name(p.from)}–${map.name(p.to)})`;
    }
    return map.nodeById && map.nodeById[id] ? map.name(id) : id.replaceAll("_", " ");
  };
}

export function kpiLabel(id, place) {
  for (const d of DIRECTIONS) {
    if (id.endsWith(`_${d}`) && FIXED[id.slice(0, -d.length - 1)]) {
      const [name, unit] = FIXED[id.slice(0, -d.length - 1)];
      return { name: `${name}, ${d}`, unit };
    }
  }
  if (FIXED[id]) return { name: FIXED[id][0], unit: FIXED[id][1] };
  for (const [re, f] of PATTERNS) {
    const m = id.match(re);
    if (m) {
      const [name, unit] = m.length > 2 ? f(m[1], m[2]) : f(m[1], place);
      return { name, unit };
    }
  }
  return { name: id.replaceAll("_", " "), unit: "" };
}
