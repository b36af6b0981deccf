import { createRoot } from 'react-dom/client';
import { App } from './App';
import { session } from './api';
import { registerInboxWorker, shareToken } from './shared/worker';
import './styles.css';

registerInboxWorker();
// A token kept before the worker came (or by an older inbox) reaches it too.
shareToken(session.token);

createRoot(document.getElementById('root')!).render(<App />);
