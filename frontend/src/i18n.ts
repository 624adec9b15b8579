// Every string the user sees, in English and Hebrew. `he` is typed by the keys of `en`, so a missing
// translation does not compile; the test checks the same at run time.

export type Lang = 'en' | 'he';

const en = {
  appName: 'Recording playback',
  switchLanguage: 'עברית',
  switchLanguageLabel: 'Switch the language to Hebrew',
  signOut: 'Sign out',
  signedInAs: '{user} · {business}',

  signInTitle: 'Sign in',
  signInHint: 'Demo sign-in: pick a business and a user name.',
  business: 'Business',
  userName: 'User name',
  signIn: 'Sign in',
  signInAsOperator: 'Operator (operations role)',
  signingIn: 'Signing in…',
  loadingBusinesses: 'Loading businesses…',
  noBusinesses: 'No businesses available.',
  signInFailed: 'Could not sign in: {message}',
  businessesFailed: 'Could not load the businesses: {message}',

  navigation: 'Pages',
  navOperations: 'Operations',

  recentCalls: 'Recent calls',
  refresh: 'Refresh',
  loadMore: 'Load more',
  loading: 'Loading…',
  noCalls: 'No calls yet.',
  callsFailed: 'Could not load the calls: {message}',
  columnTime: 'Time',
  columnDirection: 'Direction',
  columnFrom: 'From',
  columnTo: 'To',
  columnDuration: 'Duration',
  columnRecording: 'Recording',
  columnActions: 'Actions',
  directionInbound: 'Inbound',
  directionOutbound: 'Outbound',
  playCall: 'Play the call from {from}',
  /** Between a call's From and To, pointing the way the text reads. */
  callArrow: '→',

  statusMissing: 'Not downloaded',
  statusQueued: 'Queued',
  statusDownloading: 'Downloading',
  statusReady: 'Ready',
  statusFailed: 'Failed',
  statusNone: 'No recording',

  player: 'Audio player',
  playerEmpty: 'Choose a call to play',
  playerIdle: 'Press Play to listen',
  playerChecking: 'Checking recording availability…',
  playerWaiting: 'Waiting for the recording… ({seconds}s)',
  downloadsPaused: 'Downloads for this account are paused',
  nextAttemptIn: 'next attempt in {seconds} s',
  nextAttemptDue: 'next attempt due now',
  playerReady: 'Ready',
  playerPlaying: 'Playing',
  playerPaused: 'Paused',
  playerLive: 'still downloading',
  playerFailed: 'Playback failed',
  progressKnown: '{percent}% downloaded',
  progressUnknown: 'Downloading…',
  play: 'Play',
  pause: 'Pause',
  retry: 'Retry',
  seek: 'Position in the recording',
  time: 'Elapsed time and total time',
  speed: 'Speed',
  download: 'Download',
  keyboardHint: 'Space: play/pause · ←/→: 5 seconds',
  retryAfter: 'You can try again in {seconds} s.',

  errorProviderNotFound: 'The recording no longer exists at the provider',
  errorProviderRateLimited: 'The provider is limiting requests right now; try again shortly',
  errorProviderUnavailable: 'The provider is unavailable right now',
  errorTimeout: 'The download from the provider took too long',
  errorInvalidMedia: 'The provider sent a file that is not audio',
  errorWorkerLost: 'The download was interrupted',
  errorTimedOut: 'Timed out waiting for the recording',
  errorNetwork: 'Network error; check the connection',
  errorMedia: 'The browser could not play this audio',
  errorNoRecording: 'This call has no recording',
  errorGeneric: 'Something went wrong ({code})',

  opsTitle: 'Operations',
  opsUpdatedAt: 'Updated {time}',
  opsRefreshFailed: 'Could not refresh ({message}); showing the figures of {time}.',
  opsLoadFailed: 'Could not load the operations overview: {message}',
  opsForbidden: 'This page needs the operations role. Sign in as an operator to see it.',
  none: '—',
  ageSeconds: '{seconds} s',
  ageMinutes: '{minutes} min {seconds} s',

  queueTitle: 'Download queue',
  queueWaiting: 'Waiting',
  queueDelayed: 'Delayed',
  queuePending: 'Being downloaded',
  queueOldest: 'Oldest waiting for',

  businessesTitle: 'Businesses',
  columnBusiness: 'Business',
  columnInFlight: 'In flight / limit',
  columnQueued: 'Queued',
  columnDownloading: 'Downloading',
  columnFailed: 'Failed',
  columnState: 'Downloads',
  columnLimit: 'Limit',
  limitDefault: 'default',
  businessPaused: 'Paused',
  businessRunning: 'Running',
  pauseDownloads: 'Pause',
  resumeDownloads: 'Resume',
  limitFor: 'Download limit of {business}',
  setLimit: 'Set',
  useDefaultLimit: 'Default ({limit})',
  limitInvalid: 'A limit is a whole number from {min} to {max}.',
  actionFailed: 'Not done: {message}',
  columnPrefetch: 'Prefetch',
  prefetchOff: 'Off',
  prefetchLastHours: 'Last {hours} h',
  prefetchCap: 'at most {count} a day',
  prefetchNoCap: 'no daily cap',
  prefetchedToday: '{count} today',
  prefetchHours: 'Hours',
  prefetchDailyCap: 'Daily cap',
  prefetchNoCapPlaceholder: 'none',
  changePrefetch: 'Change',
  prefetchFor: 'Prefetch for {business}:',
  savePrefetch: 'Save',
  prefetchTurnOff: 'Turn off',
  cancel: 'Cancel',
  prefetchHoursInvalid: 'Hours are a whole number from {min} to {max}.',
  prefetchCapInvalid: 'A daily cap is a whole number of at least 1, or empty for no cap.',
  prefetchRefused: 'The server refused this policy: {message}',

  throughputTitle: 'Downloads in the last 15 minutes',
  throughputTotals: '{succeeded} succeeded, {failed} failed',
  throughputMinute: '{time}: {succeeded} succeeded, {failed} failed',
  succeeded: 'Succeeded',
  failed: 'Failed',

  failuresTitle: 'Recent failures',
  noFailures: 'No failed downloads.',
  columnCall: 'Call',
  columnReason: 'Reason',
  columnAttempts: 'Attempts',
  columnNextAttempt: 'Next attempt',
  columnLastAttempt: 'Last attempt',
  retryNow: 'Retry now',
  retryRequested: 'A new attempt was started for {call}.',
  notRetryable: 'Nothing to retry for {call} now: it is downloading, ready, or its retry is due already.',
  retryFailed: 'Could not retry {call}: {message}',

  stuckTitle: 'Stuck downloads',
  noStuck: 'None: every running download holds its lease.',
  columnRun: 'Run',
  columnWorker: 'Worker',
  columnLeaseUntil: 'Lease ran out',

  auditTitle: 'Audit log',
  noAudit: 'No operator actions yet.',
  columnAt: 'When',
  columnActor: 'Who',
  columnAction: 'Action',
  columnDetail: 'Detail',
  auditPause: 'Paused downloads',
  auditResume: 'Resumed downloads',
  auditSetLimit: 'Set the limit',
  auditRetryNow: 'Retried now',
  auditSetPrefetch: 'Set prefetch',
};

export type MessageKey = keyof typeof en;

const he: Record<MessageKey, string> = {
  appName: 'ניגון הקלטות',
  switchLanguage: 'English',
  switchLanguageLabel: 'החלפת השפה לאנגלית',
  signOut: 'יציאה',
  signedInAs: '{user} · {business}',

  signInTitle: 'כניסה',
  signInHint: 'כניסת הדגמה: בחרו עסק ושם משתמש.',
  business: 'עסק',
  userName: 'שם משתמש',
  signIn: 'כניסה',
  signInAsOperator: 'מפעיל (הרשאת תפעול)',
  signingIn: 'נכנסים…',
  loadingBusinesses: 'טוען עסקים…',
  noBusinesses: 'אין עסקים זמינים.',
  signInFailed: 'הכניסה נכשלה: {message}',
  businessesFailed: 'טעינת העסקים נכשלה: {message}',

  navigation: 'עמודים',
  navOperations: 'תפעול',

  recentCalls: 'שיחות אחרונות',
  refresh: 'רענון',
  loadMore: 'טען עוד',
  loading: 'טוען…',
  noCalls: 'אין עדיין שיחות.',
  callsFailed: 'טעינת השיחות נכשלה: {message}',
  columnTime: 'זמן',
  columnDirection: 'כיוון',
  columnFrom: 'מ־',
  columnTo: 'אל',
  columnDuration: 'משך',
  columnRecording: 'הקלטה',
  columnActions: 'פעולות',
  directionInbound: 'נכנסת',
  directionOutbound: 'יוצאת',
  playCall: 'נגן את השיחה מ־{from}',
  callArrow: '←',

  statusMissing: 'לא הורדה',
  statusQueued: 'בתור',
  statusDownloading: 'בהורדה',
  statusReady: 'מוכנה',
  statusFailed: 'נכשלה',
  statusNone: 'אין הקלטה',

  player: 'נגן שמע',
  playerEmpty: 'בחרו שיחה להשמעה',
  playerIdle: 'לחצו על נגן כדי להאזין',
  playerChecking: 'בודק זמינות הקלטה…',
  playerWaiting: 'ממתין להקלטה… ({seconds} שנ׳)',
  downloadsPaused: 'ההורדות של החשבון הזה מושהות',
  nextAttemptIn: 'הניסיון הבא בעוד {seconds} שנ׳',
  nextAttemptDue: 'הניסיון הבא מתחיל עכשיו',
  playerReady: 'מוכן',
  playerPlaying: 'מנגן',
  playerPaused: 'מושהה',
  playerLive: 'עדיין בהורדה',
  playerFailed: 'הניגון נכשל',
  progressKnown: 'הורדו {percent}%',
  progressUnknown: 'מוריד…',
  play: 'נגן',
  pause: 'השהה',
  retry: 'נסה שוב',
  seek: 'מיקום בהקלטה',
  time: 'זמן שחלף וזמן כולל',
  speed: 'מהירות',
  download: 'הורדה',
  // The arrows sit in a left-to-right isolate (U+2066 … U+2069) so they keep their order.
  keyboardHint: 'רווח: נגן/השהה · \u2066←/→\u2069: 5 שניות',
  retryAfter: 'אפשר לנסות שוב בעוד {seconds} שניות.',

  errorProviderNotFound: 'ההקלטה כבר לא קיימת אצל הספק',
  errorProviderRateLimited: 'הספק מגביל כרגע את הבקשות; נסו שוב בעוד רגע',
  errorProviderUnavailable: 'הספק אינו זמין כרגע',
  errorTimeout: 'ההורדה מהספק ארכה זמן רב מדי',
  errorInvalidMedia: 'הספק שלח קובץ שאינו שמע',
  errorWorkerLost: 'ההורדה נקטעה',
  errorTimedOut: 'תם הזמן להמתנה להקלטה',
  errorNetwork: 'שגיאת רשת; בדקו את החיבור',
  errorMedia: 'הדפדפן לא הצליח לנגן את השמע הזה',
  errorNoRecording: 'לשיחה הזו אין הקלטה',
  errorGeneric: 'משהו השתבש ({code})',

  opsTitle: 'תפעול',
  opsUpdatedAt: 'עודכן ב־{time}',
  opsRefreshFailed: 'הרענון נכשל ({message}); מוצגים הנתונים מ־{time}.',
  opsLoadFailed: 'טעינת סקירת התפעול נכשלה: {message}',
  opsForbidden: 'העמוד הזה דורש הרשאת תפעול. היכנסו כמפעיל כדי לראות אותו.',
  none: '—',
  ageSeconds: '{seconds} שנ׳',
  ageMinutes: '{minutes} דק׳ {seconds} שנ׳',

  queueTitle: 'תור ההורדות',
  queueWaiting: 'ממתינות',
  queueDelayed: 'נדחו',
  queuePending: 'בהורדה',
  queueOldest: 'הוותיקה ממתינה',

  businessesTitle: 'עסקים',
  columnBusiness: 'עסק',
  columnInFlight: 'בהורדה / מגבלה',
  columnQueued: 'בתור',
  columnDownloading: 'בהורדה',
  columnFailed: 'נכשלו',
  columnState: 'הורדות',
  columnLimit: 'מגבלה',
  limitDefault: 'ברירת מחדל',
  businessPaused: 'מושהות',
  businessRunning: 'פעילות',
  pauseDownloads: 'השהיה',
  resumeDownloads: 'חידוש',
  limitFor: 'מגבלת ההורדות של {business}',
  setLimit: 'קביעה',
  useDefaultLimit: 'ברירת מחדל ({limit})',
  limitInvalid: 'מגבלה היא מספר שלם בין {min} ל־{max}.',
  actionFailed: 'הפעולה לא בוצעה: {message}',
  columnPrefetch: 'הורדה מראש',
  prefetchOff: 'כבויה',
  prefetchLastHours: '{hours} השעות האחרונות',
  prefetchCap: 'עד {count} ביום',
  prefetchNoCap: 'ללא מכסה יומית',
  prefetchedToday: '{count} היום',
  prefetchHours: 'שעות',
  prefetchDailyCap: 'מכסה יומית',
  prefetchNoCapPlaceholder: 'ללא',
  changePrefetch: 'שינוי',
  prefetchFor: 'הורדה מראש עבור {business}:',
  savePrefetch: 'שמירה',
  prefetchTurnOff: 'כיבוי',
  cancel: 'ביטול',
  prefetchHoursInvalid: 'מספר השעות הוא מספר שלם בין {min} ל־{max}.',
  prefetchCapInvalid: 'מכסה יומית היא מספר שלם של 1 לפחות, או ריקה ללא מכסה.',
  prefetchRefused: 'השרת דחה את המדיניות: {message}',

  throughputTitle: 'הורדות ב־15 הדקות האחרונות',
  throughputTotals: '{succeeded} הצליחו, {failed} נכשלו',
  throughputMinute: '{time}: {succeeded} הצליחו, {failed} נכשלו',
  succeeded: 'הצליחו',
  failed: 'נכשלו',

  failuresTitle: 'כשלים אחרונים',
  noFailures: 'אין הורדות שנכשלו.',
  columnCall: 'שיחה',
  columnReason: 'סיבה',
  columnAttempts: 'ניסיונות',
  columnNextAttempt: 'הניסיון הבא',
  columnLastAttempt: 'הניסיון האחרון',
  retryNow: 'נסה עכשיו',
  retryRequested: 'התחיל ניסיון חדש עבור {call}.',
  notRetryable: 'אין מה לנסות שוב עבור {call} עכשיו: ההקלטה בהורדה, מוכנה, או שהניסיון החוזר כבר הגיע.',
  retryFailed: 'הניסיון החוזר עבור {call} נכשל: {message}',

  stuckTitle: 'הורדות תקועות',
  noStuck: 'אין: כל הורדה פעילה מחזיקה בחכירה שלה.',
  columnRun: 'ריצה',
  columnWorker: 'עובד',
  columnLeaseUntil: 'החכירה פגה',

  auditTitle: 'יומן פעולות',
  noAudit: 'עדיין אין פעולות של מפעילים.',
  columnAt: 'מתי',
  columnActor: 'מי',
  columnAction: 'פעולה',
  columnDetail: 'פרטים',
  auditPause: 'השהיית הורדות',
  auditResume: 'חידוש הורדות',
  auditSetLimit: 'קביעת מגבלה',
  auditRetryNow: 'ניסיון חוזר מיידי',
  auditSetPrefetch: 'קביעת הורדה מראש',
};

export const messages: Record<Lang, Record<MessageKey, string>> = { en, he };

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return messages[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The words for a failure reason: the api's `error` codes and the player's own. */
export function failureMessageKey(reason: string): MessageKey {
  switch (reason) {
    case 'provider_not_found':
      return 'errorProviderNotFound';
    case 'provider_rate_limited':
      return 'errorProviderRateLimited';
    case 'provider_unavailable':
      return 'errorProviderUnavailable';
    case 'timeout':
      return 'errorTimeout';
    case 'invalid_media':
      return 'errorInvalidMedia';
    case 'worker_lost':
      return 'errorWorkerLost';
    case 'timed_out':
      return 'errorTimedOut';
    case 'network':
      return 'errorNetwork';
    case 'media_error':
      return 'errorMedia';
    case 'no_recording':
    case 'not_found':
      return 'errorNoRecording';
    default:
      return 'errorGeneric';
  }
}

export function direction(lang: Lang): 'ltr' | 'rtl' {
  return lang === 'he' ? 'rtl' : 'ltr';
}

/** Locale for dates and numbers: the user's own region where it matches the language. */
export function locale(lang: Lang): string {
  const preferred = typeof navigator !== 'undefined' ? navigator.language : '';
  if (preferred.toLowerCase().startsWith(lang)) return preferred;
  return lang === 'he' ? 'he-IL' : 'en-US';
}

const LANG_KEY = 'playback.lang';

export function loadLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (stored === 'en' || stored === 'he') return stored;
  } catch {
    // storage disabled: fall through to the browser's language
  }
  const preferred = typeof navigator !== 'undefined' ? navigator.language : '';
  return preferred.toLowerCase().startsWith('he') ? 'he' : 'en';
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}
