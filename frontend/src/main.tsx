import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { LanguageProvider } from './language';
import './styles/page.css';
import './styles/controls.css';
import './styles/calls.css';
import './styles/operations.css';
import './styles/badge.css';
import './styles/player.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LanguageProvider>
      <App />
    </LanguageProvider>
  </StrictMode>,
);
