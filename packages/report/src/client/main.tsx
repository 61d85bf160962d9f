/** The page's entry: read the embedded report, apply the styles, render the app. */
import { render } from 'preact';
import { App } from './app.js';
import { readPageData } from './data.js';
import styles from './styles.css';

const style = document.createElement('style');
style.textContent = styles;
document.head.appendChild(style);

const root = document.getElementById('app') as HTMLElement;
readPageData().then(
  (data) => {
    root.replaceChildren();
    render(<App data={data} />, root);
    document.documentElement.dataset.ready = 'true';
  },
  (error: unknown) => {
    root.textContent = `This report cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  },
);
