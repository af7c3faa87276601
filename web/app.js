// The workshop page of `ruimte web` (docs/web.md). Reads the data `ruimte web` put in the page,
// draws the candidates with OpenLayers, and on every change of a weight rescores and re-ranks
// all candidates exactly as `ruimte score` does (spatial/criteria/scoring.cpp):
// - the weights are normalised by their sum, in factor order (profile.cpp);
// - weighted sum: score = sum over the factors, in order, of weight x value;
// - weakest link (aggregation = "minimum"): the lowest value among the factors with weight > 0,
//   the first such factor on a tie;
// - rank: excluded candidates are never ranked; the others by round(score x 1e12) descending,
//   ties by id (numeric ids numerically), as rank_key and id_less do.
// The values are the f_<factor>_value columns `score` wrote (exact doubles), so the scores are
// the same doubles as `score`'s. window.ruimte is the interface the tests drive.
(function () {
  'use strict';
  const marks = { start: performance.now() };
  const D = JSON.parse(document.getElementById('ruimte-data').textContent);
  marks.parsed = performance.now();
  const EN = D.lang === 'en';
  const T = EN ? {
    weights: 'Weights', export: 'Export', ranking: 'Ranking', legend: 'Legend', candidate: 'Candidate',
    manifest: 'Source run (manifest)', reset: 'Profile weights', toml: 'Weights as profile (TOML)',
    csv: 'Ranking as CSV', sum: 'Weighted sum', minimum: 'Weakest link', excluded: 'excluded',
    ranked: 'ranked', of: 'of', score: 'Score', rank: 'Rank', rankNow: 'Rank now',
    rankProfile: 'Rank with the profile\'s weights', factor: 'Factor', value: 'Value', weight: 'Weight',
    contribution: 'Contribution', reasons: 'Excluded because', notRanked: 'not ranked', click: 'Click a candidate on the map or in the list.',
    synthetic: 'synthetic: sample data, not for decisions', name: 'Name', context: 'Context layers',
    selection: 'Selection', selected: 'selected', frequency: 'selection frequency', zero: 'All weights are zero: give at least one factor a weight.',
    update: 'last update', inputs: 'Inputs', files: 'Files read', profile: 'Profile', command: 'Command',
    time: 'Time', versions: 'Versions', noManifest: 'The file has no run manifest.', more: 'more',
    aggregation: 'Aggregation', municipality: 'Municipality', sumCheck: 'Sum of contributions', source: 'Source',
  } : {
    weights: 'Gewichten', export: 'Exporteren', ranking: 'Rangorde', legend: 'Legenda', candidate: 'Kandidaat',
    manifest: 'Bronrun (manifest)', reset: 'Gewichten van het profiel', toml: 'Gewichten als profiel (TOML)',
    csv: 'Rangorde als CSV', sum: 'Gewogen som', minimum: 'Zwakste schakel', excluded: 'uitgesloten',
    ranked: 'gerangschikt', of: 'van', score: 'Score', rank: 'Rang', rankNow: 'Rang nu',
    rankProfile: 'Rang met de gewichten van het profiel', factor: 'Factor', value: 'Waarde', weight: 'Gewicht',
    contribution: 'Bijdrage', reasons: 'Uitgesloten omdat', notRanked: 'niet gerangschikt', click: 'Klik op een kandidaat op de kaart of in de lijst.',
    synthetic: 'synthetisch: voorbeelddata, niet voor besluiten', name: 'Naam', context: 'Contextlagen',
    selection: 'Selectie', selected: 'gekozen', frequency: 'selectiefrequentie', zero: 'Alle gewichten zijn nul: geef minstens één factor een gewicht.',
    update: 'laatste update', inputs: 'Invoer', files: 'Gelezen bestanden', profile: 'Profiel', command: 'Opdracht',
    time: 'Tijd', versions: 'Versies', noManifest: 'Het bestand heeft geen runmanifest.', more: 'meer',
    aggregation: 'Aggregatie', municipality: 'Gemeente', sumCheck: 'Som van de bijdragen', source: 'Bron',
  };
  const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
  const EXCLUDED_FILL = '#bdbdbd';
  let listRows = 25;  // rows of the ranked list; 'more' adds 25

  const C = D.candidates;
  const n = C.id.length;
  const F = D.profile.factors;
  const nf = F.length;
  const values = new Float64Array(n * nf);
  for (let c = 0; c < n; ++c) for (let f = 0; f < nf; ++f) values[c * nf + f] = C.values[c][f];
  const excluded = Uint8Array.from(C.excluded);
  const idOrder = Float64Array.from(C.id_order);
  const profileGiven = F.map((f) => f.weight_given);

  const state = {
    given: profileGiven.slice(),
    aggregation: D.profile.aggregation,
    score: new Float64Array(n),
    rank: new Int32Array(n),
    order: [],          // ranked candidates, best first
    classes: [],
    classOf: new Int8Array(n),
    chosen: -1,
    lastUpdateMs: 0,
    updateTimes: [],
  };

  // ---- scoring, exactly as spatial/criteria/scoring.cpp ----
  function normalised(given) {
    let total = 0;
    for (let f = 0; f < nf; ++f) total += given[f];
    const w = new Float64Array(nf);
    for (let f = 0; f < nf; ++f) w[f] = given[f] / total;
    return { w: w, total: total };
  }

  function scoreAll(given, aggregation, out) {
    const w = normalised(given).w;
    if (aggregation === 'minimum') {
      for (let c = 0, base = 0; c < n; ++c, base += nf) {
        let binding = -1;
        for (let f = 0; f < nf; ++f) {
          if (w[f] <= 0) continue;
          if (binding < 0 || values[base + f] < values[base + binding]) binding = f;
        }
        out[c] = binding < 0 ? 0 : values[base + binding];
      }
    } else {
      for (let c = 0, base = 0; c < n; ++c, base += nf) {
        let s = 0;
        for (let f = 0; f < nf; ++f) s += w[f] * values[base + f];
        out[c] = s;
      }
    }
  }

  const rankKey = new Float64Array(n);
  function rankAll(score, rankOut) {
    const order = [];
    for (let c = 0; c < n; ++c) {
      rankOut[c] = 0;
      if (excluded[c]) continue;
      rankKey[c] = Math.round(score[c] * 1e12);  // rank_key: scores equal to 12 decimals tie
      order.push(c);
    }
    order.sort((a, b) => (rankKey[b] - rankKey[a]) || (idOrder[a] - idOrder[b]));
    for (let r = 0; r < order.length; ++r) rankOut[order[r]] = r + 1;
    return order;
  }

  // styles::quantile_classes: 5 quantile classes (nearest rank), bounds rounded to 3 decimals.
  function quantileClasses(score, count) {
    const v = Array.from(score).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const out = [];
    if (v.length === 0) return out;
    const lo = Math.floor(v[0] * 1000) / 1000;
    const hi = Math.ceil(v[v.length - 1] * 1000) / 1000;
    const bounds = [lo];
    for (let i = 1; i < count; ++i) {
      const k = Math.ceil(i * v.length / count) - 1;
      const b = Math.round(v[Math.min(k, v.length - 1)] * 1000) / 1000;
      if (b > bounds[bounds.length - 1] && b < hi) bounds.push(b);
    }
    if (hi > bounds[bounds.length - 1] || bounds.length === 1) bounds.push(hi);
    const classes = bounds.length - 1;
    for (let i = 0; i < classes; ++i) {
      const colour = classes === 1 ? 4 : Math.floor(i * 4 / (classes - 1));
      out.push({ lower: bounds[i], upper: bounds[i + 1], fill: VIRIDIS[colour] });
    }
    return out;
  }

  function classify() {
    state.classes = quantileClasses(state.score, 5);
    const cl = state.classes;
    for (let c = 0; c < n; ++c) {
      const s = state.score[c];
      let k = -1;
      for (let i = 0; i < cl.length; ++i) {
        if ((i === 0 ? s >= cl[i].lower : s > cl[i].lower) && s <= cl[i].upper) { k = i; break; }
      }
      state.classOf[c] = k;
    }
  }

  // ---- geometry: polygons of rings [x0, y0, dx, dy, ...] in EPSG:28992 metres ----
  function geometry(polys) {
    const flat = [];
    const endss = [];
    for (const poly of polys) {
      const ends = [];
      for (const ring of poly) {
        let x = 0, y = 0;
        for (let i = 0; i < ring.length; i += 2) {
          x = i === 0 ? ring[0] : x + ring[i];
          y = i === 0 ? ring[1] : y + ring[i + 1];
          flat.push(x, y);
        }
        ends.push(flat.length);
      }
      endss.push(ends);
    }
    return new ol.geom.MultiPolygon(flat, 'XY', endss);
  }

  const rd = new ol.proj.Projection({ code: 'EPSG:28992', units: 'm', extent: [-7000, 289000, 300000, 629000] });
  ol.proj.addProjection(rd);

  marks.values = performance.now();
  const candidateGeoms = new Array(n);  // no ol.Feature: the canvas layer below draws them
  for (let c = 0; c < n; ++c) candidateGeoms[c] = geometry(C.geom[c]);

  // The candidates are drawn by a canvas layer of their own rather than OpenLayers' vector
  // layer: after a weight change only colours change, so each candidate keeps one Path2D (made
  // once, in metres from the origin below) and a redraw is a fill per candidate, grouped by
  // colour; OpenLayers would rebuild its drawing instructions for every feature.
  marks.features = performance.now();
  const pointOf = (feature) => {
    const c = feature.get('c');
    return new ol.geom.Point(anchors[c]);
  };
  const SMALL_PX = 6;  // smaller on screen: a marker in the candidate's colour, as `ruimte map` does
  const origin = [Infinity, Infinity];
  for (let c = 0; c < n; ++c) {
    const e = candidateGeoms[c].getExtent();
    origin[0] = Math.min(origin[0], e[0]);
    origin[1] = Math.min(origin[1], e[1]);
  }
  const sizes = new Float64Array(n);
  const boxes = new Float64Array(4 * n);
  const anchors = C.anchor;  // a point on each candidate's surface (GEOS), from `ruimte web`
  const paths = new Array(n);
  for (let c = 0; c < n; ++c) {
    const g = candidateGeoms[c];
    const e = g.getExtent();
    sizes[c] = Math.max(e[2] - e[0], e[3] - e[1]);
    boxes.set(e, 4 * c);
  }
  // A candidate's Path2D, made when it is first drawn larger than a marker (on a national view
  // most candidates are markers and never need one).
  function pathOf(c) {
    if (paths[c]) return paths[c];
    const g = candidateGeoms[c];
    const path = new Path2D();
    const flat = g.getFlatCoordinates();
    let start = 0;
    for (const ends of g.getEndss()) {
      for (const end of ends) {
        for (let i = start; i < end; i += 2) {
          const x = flat[i] - origin[0], y = flat[i + 1] - origin[1];
          if (i === start) path.moveTo(x, y);
          else path.lineTo(x, y);
        }
        path.closePath();
        start = end;
      }
    }
    paths[c] = path;
    return path;
  }
  marks.paths = performance.now();
  const canvas = document.createElement('canvas');
  canvas.style.position = 'absolute';
  canvas.style.left = '0';
  canvas.style.top = '0';
  canvas.style.width = '100%';
  canvas.style.height = '100%';
  const ctx2d = canvas.getContext('2d');
  const drawn = { resolution: 0, transform: null };

  function fillOf(c) {
    if (excluded[c]) return EXCLUDED_FILL;
    const k = state.classOf[c];
    return k < 0 ? '#eeeeee' : state.classes[k].fill;
  }

  function drawCandidates(frameState) {
    const pr = frameState.pixelRatio;
    const w = Math.round(frameState.size[0] * pr), h = Math.round(frameState.size[1] * pr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const t = frameState.coordinateToPixelTransform;  // CSS pixel = [t0 x + t2 y + t4, t1 x + t3 y + t5]
    const res = frameState.viewState.resolution;
    const view = frameState.extent;
    const g = ctx2d;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, w, h);
    const toPx = (x, y) => [(t[0] * x + t[2] * y + t[4]) * pr, (t[1] * x + t[3] * y + t[5]) * pr];
    // Candidates in view, by colour; small ones as markers. Excluded first, then the classes in
    // rising order, so the best lie on top.
    const groups = new Map();
    const small = [];
    for (let c = 0; c < n; ++c) {
      const b = 4 * c;
      if (boxes[b] > view[2] || boxes[b + 2] < view[0] || boxes[b + 1] > view[3] || boxes[b + 3] < view[1]) continue;
      const fill = fillOf(c);
      if (!groups.has(fill)) groups.set(fill, { big: [], small: [] });
      (sizes[c] / res < SMALL_PX ? groups.get(fill).small : groups.get(fill).big).push(c);
    }
    const order = [EXCLUDED_FILL, '#eeeeee', ...VIRIDIS].filter((f) => groups.has(f));
    g.setTransform(t[0] * pr, t[1] * pr, t[2] * pr, t[3] * pr,
      (t[4] + t[0] * origin[0] + t[2] * origin[1]) * pr, (t[5] + t[1] * origin[0] + t[3] * origin[1]) * pr);
    const px = 1 / Math.abs(t[0]);  // one CSS pixel in metres
    g.lineWidth = 0.6 * px;
    for (const fill of order) {
      const big = groups.get(fill).big;
      if (!big.length) continue;
      g.fillStyle = fill;
      g.strokeStyle = fill === EXCLUDED_FILL ? '#888888' : '#ffffff';
      for (const c of big) {
        g.fill(pathOf(c), 'evenodd');
        g.stroke(pathOf(c));
      }
    }
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.lineWidth = 0.8 * pr;
    for (const fill of order) {
      const sm = groups.get(fill).small;
      if (!sm.length) continue;
      const r = (fill === EXCLUDED_FILL ? 3 : 4) * pr;
      g.beginPath();
      for (const c of sm) {
        const p = toPx(anchors[c][0], anchors[c][1]);
        g.moveTo(p[0] + r, p[1]);
        g.arc(p[0], p[1], r, 0, 2 * Math.PI);
      }
      g.fillStyle = fill;
      g.fill();
      g.strokeStyle = '#333333';
      g.stroke();
    }
    // The chosen candidate: a red outline or ring.
    const c = state.chosen;
    if (c >= 0) {
      g.strokeStyle = '#e31a1c';
      if (sizes[c] / res < SMALL_PX) {
        const p = toPx(anchors[c][0], anchors[c][1]);
        g.lineWidth = 2.5 * pr;
        g.beginPath();
        g.arc(p[0], p[1], 8 * pr, 0, 2 * Math.PI);
        g.stroke();
      } else {
        g.setTransform(t[0] * pr, t[1] * pr, t[2] * pr, t[3] * pr,
          (t[4] + t[0] * origin[0] + t[2] * origin[1]) * pr, (t[5] + t[1] * origin[0] + t[3] * origin[1]) * pr);
        g.lineWidth = 3 * px;
        g.stroke(pathOf(c));
        g.setTransform(1, 0, 0, 1, 0, 0);
      }
    }
    // The 10 best: their rank.
    g.font = 'bold ' + 12 * pr + 'px "DejaVu Sans", sans-serif';
    g.textAlign = 'center';
    g.lineWidth = 3 * pr;
    g.strokeStyle = '#ffffff';
    g.fillStyle = '#000000';
    for (let r = Math.min(10, state.order.length) - 1; r >= 0; --r) {
      const k = state.order[r];
      const p = toPx(anchors[k][0], anchors[k][1]);
      g.strokeText(String(r + 1), p[0], p[1] - 8 * pr);
      g.fillText(String(r + 1), p[0], p[1] - 8 * pr);
    }
    drawn.resolution = res;
    drawn.transform = t.slice();
    return canvas;
  }

  const candidateLayer = new ol.layer.Layer({ render: drawCandidates });

  // The candidate under a pixel: a marker within 6 px, else a polygon holding the point; the
  // one drawn last (best class) wins.
  function candidateAt(pixel) {
    const coord = map.getCoordinateFromPixel(pixel);
    const res = map.getView().getResolution();
    let hit = -1, hitClass = -2;
    for (let c = 0; c < n; ++c) {
      const klass = excluded[c] ? -1 : state.classOf[c];
      if (sizes[c] / res < SMALL_PX) {
        const dx = (anchors[c][0] - coord[0]) / res, dy = (anchors[c][1] - coord[1]) / res;
        if (dx * dx + dy * dy <= 36 && klass >= hitClass) { hit = c; hitClass = klass; }
        continue;
      }
      const b = 4 * c;
      if (coord[0] < boxes[b] || coord[0] > boxes[b + 2] || coord[1] < boxes[b + 1] || coord[1] > boxes[b + 3]) continue;
      if (candidateGeoms[c].intersectsCoordinate(coord) && klass >= hitClass) { hit = c; hitClass = klass; }
    }
    return hit;
  }

  const layers = [];
  const contextLayers = [];
  const contextStyle = new ol.style.Style({ stroke: new ol.style.Stroke({ color: '#777777', width: 1 }) });
  for (const ctx of D.context) {
    const feats = ctx.geom.map((g, i) => {
      const feat = new ol.Feature(geometry(g));
      feat.set('naam', ctx.names[i]);
      return feat;
    });
    const layer = new ol.layer.Vector({ source: new ol.source.Vector({ features: feats }), style: contextStyle });
    contextLayers.push({ name: ctx.name, layer: layer });
    layers.push(layer);
  }

  let selectionLayer = null;
  if (D.selection) {
    const S = D.selection;
    const feats = [];
    for (let c = 0; c < n; ++c) {
      const f = S.frequency ? S.frequency[c] : null;
      if (!S.selected[c] && !(f > 0)) continue;
      const feat = new ol.Feature(candidateGeoms[c]);
      feat.set('c', c);
      feats.push(feat);
    }
    const selStroke = new ol.style.Stroke({ color: '#08306b', width: 2.5 });
    const selMarker = new ol.style.Style({ geometry: pointOf, image: new ol.style.Circle({ radius: 6.5, stroke: selStroke }) });
    const selOutline = new ol.style.Style({ stroke: selStroke });
    selectionLayer = new ol.layer.Vector({
      source: new ol.source.Vector({ features: feats }),
      style: (feature, resolution) => {
        const c = feature.get('c');
        const small = sizes[c] / resolution < SMALL_PX;
        const f = S.frequency ? S.frequency[c] : null;
        if (f !== null && f !== undefined) {
          const fill = new ol.style.Fill({ color: 'rgba(44,127,184,' + (0.15 + 0.6 * f) + ')' });
          const stroke = S.selected[c] ? selStroke : new ol.style.Stroke({ color: '#2c7fb8', width: 1 });
          return small ? new ol.style.Style({ geometry: pointOf, image: new ol.style.Circle({ radius: 6.5, fill: fill, stroke: stroke }) })
            : new ol.style.Style({ fill: fill, stroke: stroke });
        }
        return small ? selMarker : selOutline;
      },
    });
    layers.push(selectionLayer);
  }
  layers.push(candidateLayer);  // on top: the selection rings and outlines show around the candidates

  // Extent of the candidates, with a margin.
  const extent = ol.extent.createEmpty();
  for (let c = 0; c < n; ++c) ol.extent.extend(extent, candidateGeoms[c].getExtent());
  const map = new ol.Map({
    target: 'map',
    layers: layers,
    view: new ol.View({ projection: rd, constrainResolution: false }),
    controls: ol.control.defaults.defaults({ attribution: false, rotate: false }).extend([new ol.control.ScaleLine()]),
  });
  map.getView().fit(extent, { padding: [20, 20, 20, 20] });

  // ---- the page around the map ----
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const idText = (c) => String(C.id[c]);

  function setupText() {
    $('t-weights').textContent = T.weights;
    $('t-export').textContent = T.export;
    $('t-ranking').textContent = T.ranking;
    $('t-legend').textContent = T.legend;
    $('t-candidate').textContent = T.candidate;
    $('t-manifest').textContent = T.manifest;
    $('reset').textContent = T.reset;
    $('export-toml').textContent = T.toml;
    $('export-csv').textContent = T.csv;
    $('candidate').textContent = T.click;
    $('subtitle').textContent = T.profile + ': ' + D.profile.name + ' · ' + D.source;
    if (D.synthetic) $('synthetic').appendChild(el('span', { class: 'synthetic' }, T.synthetic));
    $('attribution').textContent = 'OpenLayers (BSD-2-Clause) · ' + D.attribution;
  }

  const sliders = [];
  const shares = [];
  function setupControls() {
    // Sliders from 0 to the sum of the profile's weights (1 for weights that sum to 1; 100 for
    // weights given as percentages), in 100 steps.
    const max = Math.max(1, profileGiven.reduce((a, b) => a + b, 0));
    F.forEach((f, i) => {
      const box = el('div', { class: 'factor' });
      const label = el('label');
      label.appendChild(el('span', null, f.name));
      const share = el('span', { class: 'muted' });
      label.appendChild(share);
      const s = el('input', { type: 'range', min: '0', max: String(max), step: String(max / 100), 'data-factor': f.name });
      s.value = String(state.given[i]);
      s.addEventListener('input', () => { state.given[i] = parseFloat(s.value); update(); });
      box.appendChild(label);
      box.appendChild(s);
      $('factors').appendChild(box);
      sliders.push(s);
      shares.push(share);
    });
    const agg = $('aggregation');
    agg.appendChild(el('div', { class: 'muted' }, T.aggregation));
    for (const [value, text] of [['weighted_sum', T.sum], ['minimum', T.minimum]]) {
      const label = el('label');
      const r = el('input', { type: 'radio', name: 'aggregation', value: value });
      r.checked = state.aggregation === value;
      r.addEventListener('change', () => { if (r.checked) { state.aggregation = value; update(); } });
      label.appendChild(r);
      label.appendChild(document.createTextNode(' ' + text));
      agg.appendChild(label);
    }
    $('reset').addEventListener('click', () => api.setWeights(profileGiven, D.profile.aggregation));
    $('export-toml').addEventListener('click', () => download(profileName() + '.toml', profileToml(), 'application/toml'));
    $('export-csv').addEventListener('click', () => download(profileName() + '_rangorde.csv', rankingCsv(), 'text/csv'));
    const lay = $('layers');
    if (contextLayers.length || selectionLayer) lay.appendChild(el('h2', null, T.context));
    const toggle = (name, layer) => {
      const label = el('label');
      const box = el('input', { type: 'checkbox' });
      box.checked = true;
      box.addEventListener('change', () => layer.setVisible(box.checked));
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + name));
      lay.appendChild(label);
      lay.appendChild(el('br'));
    };
    for (const c of contextLayers) toggle(c.name, c.layer);
    if (selectionLayer) toggle(T.selection + (D.selection.frequency ? ' (' + T.frequency + ')' : ''), selectionLayer);
    candidateLayer.set('name', 'candidates');
  }

  function syncSliders() {
    const w = normalised(state.given);
    for (let f = 0; f < nf; ++f) {
      if (parseFloat(sliders[f].value) !== state.given[f]) sliders[f].value = String(state.given[f]);
      shares[f].textContent = w.total > 0 ? (100 * w.w[f]).toFixed(1) + ' %' : '-';
    }
    for (const r of document.querySelectorAll('input[name=aggregation]')) r.checked = r.value === state.aggregation;
  }

  function drawLegend() {
    const lg = $('legend');
    lg.textContent = '';
    const row = (fill, text) => {
      const d = el('div');
      const sw = el('span', { class: 'sw' });
      sw.style.background = fill;
      d.appendChild(sw);
      d.appendChild(el('span', null, text));
      lg.appendChild(d);
    };
    lg.appendChild(el('div', { class: 'muted' }, T.score + (EN ? ' (quantiles)' : ' (kwantielen)')));
    for (const k of state.classes) row(k.fill, k.lower.toFixed(3) + ' - ' + k.upper.toFixed(3));
    row(EXCLUDED_FILL, T.excluded);
  }

  function drawList() {
    const t = $('ranking');
    t.textContent = '';
    const head = el('tr');
    head.appendChild(el('th', { class: 'n' }, T.rank));
    head.appendChild(el('th', null, 'id'));
    head.appendChild(el('th', null, T.name));
    head.appendChild(el('th', { class: 'n' }, T.score));
    t.appendChild(head);
    const rows = Math.min(listRows, state.order.length);
    for (let r = 0; r < rows; ++r) {
      const c = state.order[r];
      const tr = el('tr', c === state.chosen ? { class: 'sel' } : null);
      tr.appendChild(el('td', { class: 'n' }, String(r + 1)));
      tr.appendChild(el('td', null, idText(c)));
      tr.appendChild(el('td', null, C.name[c]));
      tr.appendChild(el('td', { class: 'n' }, fmt(state.score[c], 3)));
      tr.addEventListener('click', () => choose(c, true));
      t.appendChild(tr);
    }
    const nExcl = n - state.order.length;
    $('counts').textContent = state.order.length + ' ' + T.ranked + ', ' + nExcl + ' ' + T.excluded +
      (state.order.length > rows ? ' (top ' + rows + ')' : '');
    if (state.order.length > rows) {
      const tr = el('tr');
      const td = el('td', { colspan: '4' });
      const more = el('button', { id: 'more' }, '+ 25 ' + T.more);
      more.addEventListener('click', () => { listRows += 25; drawList(); });
      td.appendChild(more);
      tr.appendChild(td);
      t.appendChild(tr);
    }
  }

  // Contributions per factor as `ruimte explain`: weighted sum: weight x value; weakest link:
  // the binding factor's value, the others nothing.
  function contributions(c, given, aggregation) {
    const w = normalised(given).w;
    const out = [];
    let binding = -1;
    if (aggregation === 'minimum') {
      for (let f = 0; f < nf; ++f) {
        if (w[f] <= 0) continue;
        if (binding < 0 || values[c * nf + f] < values[c * nf + binding]) binding = f;
      }
    }
    for (let f = 0; f < nf; ++f) {
      const v = values[c * nf + f];
      const contrib = aggregation === 'minimum' ? (f === binding ? v : 0) : w[f] * v;
      out.push({ name: F[f].name, value: v, weight: w[f], contribution: contrib });
    }
    return out;
  }

  function drawCandidate() {
    const box = $('candidate');
    const c = state.chosen;
    box.textContent = '';
    if (c < 0) { box.textContent = T.click; return; }
    box.classList.remove('muted');
    box.appendChild(el('div', null, 'id ' + idText(c) + (C.name[c] ? ' · ' + C.name[c] : '') +
      (C.gemeente[c] ? ' · ' + C.gemeente[c] : '')));
    const ranked = state.order.length;
    if (excluded[c]) {
      box.appendChild(el('div', { class: 'reasons' }, T.reasons + ': ' + C.reasons[c]));
      box.appendChild(el('div', null, T.rankNow + ': ' + T.notRanked));
    } else {
      box.appendChild(el('div', null, T.score + ': ' + fmt(state.score[c], 4)));
      box.appendChild(el('div', { id: 'rank-now' }, T.rankNow + ': ' + state.rank[c] + ' ' + T.of + ' ' + ranked));
      box.appendChild(el('div', { id: 'rank-profile' }, T.rankProfile + ': ' + profileRank[c] + ' ' + T.of + ' ' + ranked));
    }
    if (D.selection) {
      const f = D.selection.frequency ? D.selection.frequency[c] : null;
      box.appendChild(el('div', null, T.selection + ': ' + (D.selection.selected[c] ? T.selected : '-') +
        (f !== null && f !== undefined ? ', ' + T.frequency + ' ' + fmt(f, 2) : '')));
    }
    const t = el('table');
    const head = el('tr');
    for (const [h, cls] of [[T.factor, ''], [T.value, 'n'], [T.weight, 'n'], [T.contribution, 'n']]) head.appendChild(el('th', cls ? { class: cls } : null, h));
    t.appendChild(head);
    let sum = 0;
    contributions(c, state.given, state.aggregation).forEach((row, f) => {
      const tr = el('tr');
      const name = el('td', null, row.name);
      name.appendChild(el('div', { class: 'muted' }, C.metric[c][f]));
      tr.appendChild(name);
      tr.appendChild(el('td', { class: 'n' }, fmt(row.value, 3)));
      tr.appendChild(el('td', { class: 'n' }, fmt(row.weight, 3)));
      tr.appendChild(el('td', { class: 'n' }, fmt(row.contribution, 3)));
      sum += row.contribution;
      t.appendChild(tr);
    });
    const tr = el('tr');
    tr.appendChild(el('th', null, T.sumCheck));
    tr.appendChild(el('td'));
    tr.appendChild(el('td'));
    tr.appendChild(el('th', { class: 'n' }, fmt(sum, 3)));
    t.appendChild(tr);
    box.appendChild(t);
  }

  function choose(c, zoom) {
    state.chosen = c;
    drawCandidate();
    drawList();
    candidateLayer.changed();
    if (zoom && c >= 0) {
      const view = map.getView();
      view.fit(candidateGeoms[c].getExtent(), { padding: [80, 80, 80, 80], maxZoom: view.getZoom() + 3, duration: 0 });
    }
  }

  map.on('singleclick', (e) => {
    choose(candidateAt(e.pixel), false);
  });

  function drawManifest() {
    const body = $('manifest-body');
    const m = D.manifest;
    if (!m) { body.textContent = T.noManifest; return; }
    const kv = (k, v) => body.appendChild(el('div', null, k + ': ' + v));
    kv(T.command, m.command_line || m.command || '');
    kv(T.time, m.timestamp || '');
    if (m.versions) kv(T.versions, Object.entries(m.versions).map(([k, v]) => k + ' ' + v).join(', '));
    if (m.profile) kv(T.profile, (m.profile.path || '') + (m.profile.sha256 ? ' (sha256 ' + m.profile.sha256 + ')' : ''));
    if (Array.isArray(m.inputs)) {
      body.appendChild(el('h2', null, T.inputs));
      const t = el('table');
      for (const i of m.inputs) {
        const tr = el('tr');
        tr.appendChild(el('td', null, i.role || ''));
        tr.appendChild(el('td', null, i.source || ''));
        tr.appendChild(el('td', null, (i.crs || '') + (i.accuracy_m !== undefined && i.accuracy_m >= 0 ? ' ±' + i.accuracy_m + ' m' : '')));
        t.appendChild(tr);
      }
      body.appendChild(t);
    }
    if (Array.isArray(m.files)) {
      body.appendChild(el('h2', null, T.files));
      const t = el('table');
      for (const f of m.files) {
        const tr = el('tr');
        tr.appendChild(el('td', null, f.path || ''));
        tr.appendChild(el('td', { class: 'n' }, f.size !== undefined ? String(f.size) : ''));
        tr.appendChild(el('td', { style: 'font-family: monospace; font-size: 10px' }, f.sha256 || ''));
        t.appendChild(tr);
      }
      body.appendChild(t);
    }
    body.appendChild(el('h2', null, T.profile));
    body.appendChild(el('pre', null, D.profile.text));
  }

  // ---- exports ----
  function profileName() { return (D.profile.name || 'profiel').replace(/[^A-Za-z0-9_-]+/g, '_') + '_web'; }
  const number = (x) => String(x);  // the shortest text that reads back as the same double

  // The profile's own text with each factor's weight and the aggregation replaced by the page's
  // (a [weights] AHP table is left out: the weights replace it). Saved beside the original
  // profile, its layer sources resolve as before.
  function profileToml() {
    const lines = D.profile.text.split('\n');
    const out = ['# ' + (EN ? 'Weights set in `ruimte web`' : 'Gewichten gezet in `ruimte web`') + ' (' + D.source + ')'];
    let section = '', factor = -1, wroteWeight = true, wroteAgg = true, skip = false;
    const close = () => {
      if (section === 'factors' && !wroteWeight) out.push('weight = ' + number(state.given[factor]));
      if (section === 'profile' && !wroteAgg) out.push('aggregation = "' + state.aggregation + '"');
    };
    for (const line of lines) {
      const h = line.match(/^\s*(\[\[?)\s*([A-Za-z0-9_.\-"]+)\s*\]\]?/);
      if (h) {
        close();
        const name = h[2];
        section = h[1] === '[[' && name === 'factors' ? 'factors' : name;
        skip = name === 'weights' || name.startsWith('weights.');
        if (section === 'factors') { ++factor; wroteWeight = false; }
        if (section === 'profile') wroteAgg = false;
        if (skip) { out.push('# [weights] (AHP) ' + (EN ? 'left out: the factor weights replace it' : 'weggelaten: de gewichten per factor vervangen het')); continue; }
        out.push(line);
        continue;
      }
      if (skip) continue;
      if (section === 'factors' && /^\s*weight\s*=/.test(line)) {
        out.push('weight = ' + number(state.given[factor]));
        wroteWeight = true;
        continue;
      }
      if (section === 'profile' && /^\s*aggregation\s*=/.test(line)) {
        out.push('aggregation = "' + state.aggregation + '"');
        wroteAgg = true;
        continue;
      }
      out.push(line);
    }
    close();
    return out.join('\n');
  }

  const csvField = (s) => (/[",\n;]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  function rankingCsv() {
    const rows = ['rank,candidate_id,naam,score,excluded,reasons'];
    for (const c of state.order) rows.push([state.rank[c], csvField(idText(c)), csvField(C.name[c]), number(state.score[c]), 0, ''].join(','));
    for (let c = 0; c < n; ++c) {
      if (excluded[c]) rows.push(['', csvField(idText(c)), csvField(C.name[c]), number(state.score[c]), 1, csvField(C.reasons[c])].join(','));
    }
    return rows.join('\n') + '\n';
  }

  function download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type: type }));
    const a = el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ---- one update: rescore, re-rank, reclassify, redraw ----
  function update() {
    const t0 = performance.now();
    syncSliders();
    if (!(normalised(state.given).total > 0)) {
      $('counts').textContent = T.zero;
      return;
    }
    scoreAll(state.given, state.aggregation, state.score);
    state.order = rankAll(state.score, state.rank);
    classify();
    const t1 = performance.now();
    drawLegend();
    drawList();
    drawCandidate();
    const t2 = performance.now();
    candidateLayer.changed();
    map.renderSync();
    const t3 = performance.now();
    state.lastUpdateMs = t3 - t0;
    state.breakdown = { score_rank_ms: t1 - t0, panels_ms: t2 - t1, map_ms: t3 - t2 };
    state.updateTimes.push(state.lastUpdateMs);
    $('timing').textContent = T.update + ': ' + state.lastUpdateMs.toFixed(1) + ' ms';
  }

  // The ranks with the profile's own weights (stay fixed while the sliders move).
  const profileRank = new Int32Array(n);
  {
    const s = new Float64Array(n);
    scoreAll(profileGiven, D.profile.aggregation, s);
    rankAll(s, profileRank);
  }

  const api = {
    factors: F.map((f) => f.name),
    // weights: an array in factor order or an object {factor: weight}; aggregation optional.
    setWeights(weights, aggregation) {
      if (Array.isArray(weights)) state.given = weights.slice();
      else state.given = F.map((f, i) => (f.name in weights ? weights[f.name] : state.given[i]));
      if (aggregation) state.aggregation = aggregation;
      update();
      return state.lastUpdateMs;
    },
    setAggregation(a) { state.aggregation = a; update(); return state.lastUpdateMs; },
    // Ranked candidates best first, then the excluded ones (rank 0), with exact scores.
    ranking() {
      const out = state.order.map((c) => ({ id: C.id[c], score: state.score[c], rank: state.rank[c] }));
      for (let c = 0; c < n; ++c) if (excluded[c]) out.push({ id: C.id[c], score: state.score[c], rank: state.rank[c] });
      return out;
    },
    profileRanks() { return Array.from(profileRank); },
    storedRanks() { return C.rank.slice(); },
    profileToml: profileToml,
    rankingCsv: rankingCsv,
    choose(id) { const c = C.id.findIndex((x) => String(x) === String(id)); choose(c, false); return c; },
    // For the tests: zoom to a candidate and say where its anchor is on the page (CSS pixels).
    zoomTo(id) {
      const c = C.id.findIndex((x) => String(x) === String(id));
      map.getView().fit(candidateGeoms[c].getExtent(), { padding: [120, 120, 120, 120], duration: 0 });
      map.renderSync();
      const p = map.getPixelFromCoordinate(anchors[c]);
      const r = map.getTargetElement().getBoundingClientRect();
      return [r.left + p[0], r.top + p[1]];
    },
    weights() { return state.given.slice(); },
    candidateText() { return $('candidate').textContent; },
    lastUpdateMs() { return state.lastUpdateMs; },
    breakdown() { return state.breakdown; },
    updateTimes() { return state.updateTimes.slice(); },
    ready: false,
    readyMs: 0,
  };
  window.ruimte = api;

  marks.map = performance.now();
  setupText();
  setupControls();
  drawManifest();
  marks.panels = performance.now();
  update();
  marks.updated = performance.now();
  // Interactive: the map drawn (update() renders synchronously), the handlers attached, and the
  // frame painted.
  requestAnimationFrame(() => {
    api.readyMs = performance.now();
    marks.ready = api.readyMs;
    api.marks = marks;
    api.ready = true;
    document.body.setAttribute('data-ready', '1');
  });
})();
