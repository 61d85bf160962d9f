/** Collapsible JSON (json-formatter-js), or the text as it is when it is not JSON. */
import JSONFormatterModule from 'json-formatter-js';
import { useEffect, useRef } from 'preact/hooks';
import type { Json } from '../shared/report-data.js';

// The package's types describe its CommonJS build, where the class is `default`; the bundle takes
// its ES module build, whose default export is the class itself.
const JSONFormatter = JSONFormatterModule as unknown as typeof JSONFormatterModule.default;

const dark = () =>
  typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;

export function JsonView({
  value,
  open = 2,
  label,
}: {
  value: Json | undefined;
  open?: number;
  label: string;
}) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    el.replaceChildren();
    if (typeof value === 'object' && value !== null) {
      const formatter = new JSONFormatter(value, open, {
        theme: dark() ? 'dark' : '',
        hoverPreviewEnabled: true,
      });
      el.appendChild(formatter.render());
    } else {
      const pre = document.createElement('pre');
      pre.textContent =
        value === undefined
          ? '(no body)'
          : typeof value === 'string'
            ? value
            : JSON.stringify(value);
      el.appendChild(pre);
    }
  }, [value, open]);
  return <section class="json" ref={ref} aria-label={label} />;
}
