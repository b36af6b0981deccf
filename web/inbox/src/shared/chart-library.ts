// The chart library, in a chunk of its own: the reports screen imports this module dynamically, so neither the
// inbox nor the reports screen's first paint waits for it (test/e2e/web-assets.int-spec.ts checks the chunk).
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { ChartConfiguration, Plugin } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

export interface ChartSpec {
  kind: 'bar' | 'line';
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

const COLOURS = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#4b5563'];

/**
 * After each draw, the canvas carries the numbers the chart holds (`data-chart`): what a reader of the page, or a
 * test, can compare with the table and the CSV without reading pixels. A white background makes the PNG legible.
 */
const drawnData: Plugin = {
  id: 'drawnData',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
  afterRender(chart) {
    const data = { labels: chart.data.labels, datasets: chart.data.datasets.map((dataset) => ({ label: dataset.label, data: dataset.data })) };
    chart.canvas.dataset.chart = JSON.stringify(data);
  },
};

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): { update(spec: ChartSpec): void; destroy(): void } {
  const config = (next: ChartSpec): ChartConfiguration<'bar' | 'line', (number | null)[], string> => ({
    type: next.kind,
    data: {
      labels: next.labels,
      datasets: next.datasets.map((dataset, index) => ({
        label: dataset.label,
        data: dataset.data,
        backgroundColor: COLOURS[index % COLOURS.length],
        borderColor: COLOURS[index % COLOURS.length],
        spanGaps: true,
      })),
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    plugins: [drawnData],
  });
  let chart = new Chart(canvas, config(spec));
  let kind = spec.kind;
  return {
    update(next) {
      // A change of kind (bar to line) needs a new chart; the same kind takes new data in place.
      if (kind !== next.kind) {
        chart.destroy();
        chart = new Chart(canvas, config(next));
        kind = next.kind;
        return;
      }
      const fresh = config(next);
      chart.data = fresh.data;
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}
