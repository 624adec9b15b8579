import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { direction, loadLang, saveLang, translate, type Lang, type MessageKey } from './i18n';

interface LanguageContextValue {
  lang: Lang;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  toggle: () => void;
}

const LanguageContext = createContext<LanguageContextValue | null>(null);

/** The chosen language, remembered in localStorage and mirrored on <html lang dir>. */
export function LanguageProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLang] = useState<Lang>(() => initial ?? loadLang());

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = direction(lang);
    saveLang(lang);
  }, [lang]);

  const toggle = useCallback(() => setLang((current) => (current === 'en' ? 'he' : 'en')), []);
  const value = useMemo<LanguageContextValue>(
    () => ({ lang, toggle, t: (key, params) => translate(lang, key, params) }),
    [lang, toggle],
  );
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useI18n(): LanguageContextValue {
  const value = useContext(LanguageContext);
  if (!value) throw new Error('useI18n needs a LanguageProvider above it');
  return value;
}
