// ganlab's drawing plane (GAN Lab's brush): a click adds one point where it lands, a drag
// paints a trail, a few points per step spread a little around the pointer. The points live
// here while the pointer moves; each stroke's end (and Clear) sends them to Python as the
// state value "points", a flat [x0, y0, x1, y1, ...] in plane units rounded to 1/1000.
// data = {points: the same flat list to start from, plane: [lo, hi], cap: most points}.
// Everything is local: a canvas, no libraries.
const REAL = "#1b7837"; // the real data's green in the distribution view (figures/live.py)
const BRUSH = 3; // points per drag step
const STEP_PX = 8; // pointer travel between two drag steps
const SPREAD = 0.05; // the brush's spread, as a fraction of the plane's width
const PAD = { left: 30, right: 8, top: 8, bottom: 24 };

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector("div.ganlab-draw");
  if (root) return; // the drawing in the page is newer than what Python last heard
  root = document.createElement("div");
  root.className = "ganlab-draw";
  root.style.cssText = "width:100%;font-family:inherit;user-select:none;";
  parentElement.appendChild(root);

  const [lo, hi] = data.plane;
  const cap = data.cap;
  const flat = (data.points || []).slice(0, 2 * cap);
  const points = [];
  for (let i = 0; i + 1 < flat.length; i += 2) points.push([flat[i], flat[i + 1]]);

  const canvas = document.createElement("canvas");
  canvas.className = "ganlab-draw-canvas";
  canvas.style.cssText = "display:block;width:100%;touch-action:none;cursor:crosshair;";
  const row = document.createElement("div");
  row.style.cssText =
    "display:flex;align-items:center;justify-content:space-between;gap:8px;margin-top:6px;";
  const status = document.createElement("span");
  status.className = "ganlab-draw-status";
  status.style.cssText = "font-size:0.85rem;opacity:0.8;";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.textContent = "Clear";
  clear.className = "ganlab-draw-clear";
  clear.style.cssText =
    "font:inherit;font-size:0.85rem;padding:2px 12px;border-radius:8px;cursor:pointer;" +
    "border:1px solid rgba(128,128,128,0.45);background:transparent;color:inherit;";
  row.append(status, clear);
  root.append(canvas, row);

  let size = 0; // the canvas's CSS width and height (a square)
  const inner = () => [size - PAD.left - PAD.right, size - PAD.top - PAD.bottom];
  const toPlane = (px, py) => {
    const [w, h] = inner();
    return [lo + ((px - PAD.left) / w) * (hi - lo), hi - ((py - PAD.top) / h) * (hi - lo)];
  };
  const toPixel = (x, y) => {
    const [w, h] = inner();
    return [PAD.left + ((x - lo) / (hi - lo)) * w, PAD.top + ((hi - y) / (hi - lo)) * h];
  };

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(size * ratio);
    canvas.height = Math.round(size * ratio);
    canvas.style.height = `${size}px`;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, size, size);
    const [w, h] = inner();
    // Where the plane lies on the canvas (CSS pixels) and its range, for tests and tools.
    canvas.dataset.area = [PAD.left, PAD.top, w, h].join(",");
    canvas.dataset.plane = [lo, hi].join(",");
    ctx.font = "11px sans-serif";
    ctx.fillStyle = "#444444";
    ctx.lineWidth = 1;
    for (let v = Math.ceil(lo); v <= Math.floor(hi); v++) {
      const [px, py] = toPixel(v, v);
      ctx.strokeStyle = v === 0 ? "#c8c8c8" : "#e6e6e6";
      ctx.beginPath();
      ctx.moveTo(px, PAD.top);
      ctx.lineTo(px, PAD.top + h);
      ctx.moveTo(PAD.left, py);
      ctx.lineTo(PAD.left + w, py);
      ctx.stroke();
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      const label = String(v).replace("-", "\u2212"); // a minus sign, as the plots write it
      ctx.fillText(label, px, PAD.top + h + 5);
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(label, PAD.left - 5, py);
    }
    ctx.strokeStyle = "#444444";
    ctx.strokeRect(PAD.left, PAD.top, w, h);
    if (!points.length) {
      const hint = "click or drag to add points";
      ctx.font = "14px sans-serif";
      const half = ctx.measureText(hint).width / 2 + 6;
      ctx.fillStyle = "white";
      ctx.fillRect(PAD.left + w / 2 - half, PAD.top + h / 2 - 11, 2 * half, 22);
      ctx.fillStyle = "#555555";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(hint, PAD.left + w / 2, PAD.top + h / 2);
    }
    ctx.fillStyle = REAL;
    for (const [x, y] of points) {
      const [px, py] = toPixel(x, y);
      ctx.beginPath();
      ctx.arc(px, py, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    const n = points.length;
    status.textContent =
      n >= cap ? `${n} points: the most a drawn set holds; Clear to draw anew.` : `${n} of ${cap} points`;
  }

  const round = (v) => Math.round(Math.min(hi, Math.max(lo, v)) * 1000) / 1000;
  const add = (x, y) => {
    if (points.length < cap) points.push([round(x), round(y)]);
  };
  const gauss = () => {
    const u = 1 - Math.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
  };
  const send = () => setStateValue("points", points.flat());

  let last = null; // the pointer's last brush position while a button is down
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    add(...toPlane(...last));
    draw();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const here = at(event);
    if (Math.hypot(here[0] - last[0], here[1] - last[1]) < STEP_PX) return;
    last = here;
    const [x, y] = toPlane(...here);
    const spread = SPREAD * (hi - lo);
    for (let i = 0; i < BRUSH; i++) add(x + spread * gauss(), y + spread * gauss());
    draw();
  });
  const end = () => {
    if (!last) return;
    last = null;
    send();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  clear.addEventListener("click", () => {
    points.length = 0;
    draw();
    send();
  });

  const resize = () => {
    const width = Math.floor(root.clientWidth);
    if (width > 0 && width !== size) {
      size = width;
      draw();
    }
  };
  new ResizeObserver(resize).observe(root);
  size = Math.floor(root.clientWidth) || 300;
  draw();
}
