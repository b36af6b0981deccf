import { useEffect, useRef } from 'react';
import type { ChartSpec } from './chart-library';
import { saveAddress } from './download';
import './report-chart.css';

type DrawnChart = { update(spec: ChartSpec): void; destroy(): void };

/**
 * A chart drawn by the chart library, which is fetched the first time a chart is shown (its own chunk). The canvas
 * carries the numbers it drew in `data-chart`; the PNG is the canvas as drawn.
 */
export function ReportChart({ spec, label, fileName, pngLabel }: { spec: ChartSpec; label: string; fileName: string; pngLabel: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<DrawnChart | null>(null);

  useEffect(() => {
    let current = true;
    void import('./chart-library').then(({ drawChart }) => {
      if (!current || !canvas.current) return;
      if (chart.current) chart.current.update(spec);
      else chart.current = drawChart(canvas.current, spec);
    });
    return () => {
      current = false;
    };
  }, [spec]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <figure className="report-chart">
      <div className="chart-frame">
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      <figcaption>
        {label}{' '}
        <button type="button" onClick={() => canvas.current && saveAddress(canvas.current.toDataURL('image/png'), fileName)}>
          {pngLabel}
        </button>
      </figcaption>
    </figure>
  );
}
