// ganlab's live chart: one Plotly div per chart, updated in place with Plotly.react.
// st.plotly_chart remounts a chart whenever its figure changes (Streamlit 1.67 keys the
// element by a hash of the spec), which blanks and rebuilds it at every live redraw. This
// component keeps its div and lets plotly.js diff the new figure in. It uses the plotly.js
// that Streamlit itself ships (its PlotlyChart chunk sets window.Plotly), so it works
// offline and matches st.plotly_chart's version. data = {spec: figure JSON, chunk: path}.
export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.ganlab-live-plot");
  if (!div) {
    div = document.createElement("div");
    div.className = "ganlab-live-plot";
    div.style.width = "100%";
    parentElement.appendChild(div);
  }
  // A redraw re-sends every chart; one whose figure did not change costs nothing here.
  if (div.ganlabSpec === data.spec) return;
  div.ganlabSpec = data.spec;
  const spec = JSON.parse(data.spec);
  const config = { displaylogo: false, responsive: false };
  const draw = () => window.Plotly.react(div, spec.data, spec.layout, config);
  if (window.Plotly) {
    draw();
  } else {
    import(new URL(data.chunk, document.baseURI).href)
      .then(draw)
      .catch((err) => {
        div.textContent = "This chart could not load plotly.js: " + err;
      });
  }
}
