import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { answer, errorLanguage, hub, session } from './api';
import type { Member } from './api';
import { catalogs, CurrentLanguage, I18n } from './i18n';
import type { Language } from './i18n';
import { ErrorBoundary } from './shared/ErrorBoundary';
import { SessionContext, storedMember } from './shared/session';
import type { Session } from './shared/session';
import { Shell } from './shell/Shell';
import { forgetPushSubscription, updatePushLanguage } from './shared/worker';

// Each area is its own chunk, fetched the first time its address is opened: an operator never loads the admin screens.
const InboxArea = lazy(() => import('./inbox/InboxArea'));
const SupervisionArea = lazy(() => import('./supervision/SupervisionArea'));
const ReportsArea = lazy(() => import('./reports/ReportsArea'));
const SalesArea = lazy(() => import('./sales/SalesArea'));
const AdminArea = lazy(() => import('./admin/AdminArea'));
const SearchPage = lazy(() => import('./records/SearchPage'));
const HistoryPage = lazy(() => import('./records/HistoryPage'));
const ContactsArea = lazy(() => import('./contacts/ContactsArea'));
const TicketsArea = lazy(() => import('./tickets/TicketsArea'));
const AccountPage = lazy(() => import('./account/AccountPage'));
const LoginPage = lazy(() => import('./account/LoginPage'));
const JoinPage = lazy(() => import('./account/JoinPage'));
const ForgotPasswordPage = lazy(() => import('./account/ForgotPasswordPage'));

const LANGUAGE_KEY = 'tsunagi:language';

/** Where the signed-in member was sent from to log in: back there afterwards. */
export interface ReturnTo {
  from?: string;
}

export function App() {
  const [language, setLanguage] = useState<Language>(() => (localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'ja'));
  const [signedIn, setSignedIn] = useState<{ token: string; member: Member } | null>(null);
  const [checked, setChecked] = useState(false);

  useEffect(() => {
    document.documentElement.lang = language;
    localStorage.setItem(LANGUAGE_KEY, language);
    if (session.token) void updatePushLanguage(language, session.token);
  }, [language]);

  useEffect(() => {
    const token = session.token;
    const member = storedMember.read();
    if (!token || !member) return setChecked(true);
    // Any authenticated call tells whether the stored token still holds.
    answer(hub.GET('/api/members'))
      .then(() => setSignedIn({ token, member }))
      .catch(() => (session.token = null))
      .finally(() => setChecked(true));
  }, []);

  const signIn = (token: string, member: Member) => {
    session.token = token;
    storedMember.write(member);
    setSignedIn({ token, member });
  };

  const value = useMemo<(Session & { token: string }) | null>(
    () =>
      signedIn && {
        token: signedIn.token,
        member: signedIn.member,
        language,
        setLanguage,
        updateMember: (member) => {
          storedMember.write(member);
          setSignedIn((current) => current && { ...current, member });
        },
        replaceToken: (token) => {
          session.token = token;
          setSignedIn((current) => current && { ...current, token });
        },
        signOut: () => {
          void forgetPushSubscription(signedIn.token);
          session.token = null;
          storedMember.write(null);
          setSignedIn(null);
        },
      },
    [signedIn, language],
  );

  const text = catalogs[language];
  // Refusals are worded outside React (in `answer`): they follow the language chosen here.
  errorLanguage.current = language;
  const accountProps = { language, onLanguage: setLanguage, onSignedIn: signIn };
  const page = (node: ReactNode) => <Suspense fallback={null}>{node}</Suspense>;

  return (
    <CurrentLanguage.Provider value={language}>
      <I18n.Provider value={text}>
        <ErrorBoundary message={text.crashed} reload={text.reload}>
          {checked && (
            <BrowserRouter basename="/app">
              <Routes>
                <Route path="login" element={value ? <BackToWhereItWas /> : page(<LoginPage {...accountProps} />)} />
                <Route path="join" element={page(<JoinPage {...accountProps} />)} />
                <Route path="forgot-password" element={page(<ForgotPasswordPage {...accountProps} />)} />
                <Route
                  element={
                    value ? (
                      <SessionContext.Provider value={value}>
                        <Shell token={value.token} />
                      </SessionContext.Provider>
                    ) : (
                      <ToLogin />
                    )
                  }
                >
                  <Route index element={<InboxArea />} />
                  <Route path="conversations/:id" element={<InboxArea />} />
                  <Route path="supervision" element={value && value.member.role !== 'operator' ? <SupervisionArea /> : <Navigate to="/" replace />} />
                  <Route path="reports" element={value && value.member.role !== 'operator' ? <ReportsArea /> : <Navigate to="/" replace />} />
                  <Route path="sales" element={<SalesArea />} />
                  <Route path="search" element={value && value.member.role !== 'operator' ? <SearchPage /> : <Navigate to="/" replace />} />
                  <Route path="history" element={value && value.member.role !== 'operator' ? <HistoryPage /> : <Navigate to="/" replace />} />
                  <Route path="admin/*" element={value?.member.role === 'administrator' ? <AdminArea /> : <Navigate to="/" replace />} />
                  <Route path="tickets" element={<TicketsArea />} />
                  <Route path="tickets/:id" element={<TicketsArea />} />
                  <Route path="contacts" element={<ContactsArea />} />
                  <Route path="contacts/:id" element={<ContactsArea />} />
                  <Route path="account" element={<AccountPage />} />
                  <Route path="*" element={<Navigate to="/" replace />} />
                </Route>
              </Routes>
            </BrowserRouter>
          )}
        </ErrorBoundary>
      </I18n.Provider>
    </CurrentLanguage.Provider>
  );
}

/** Not signed in: to the login page, remembering the address asked for. */
function ToLogin() {
  const location = useLocation();
  return <Navigate to="/login" replace state={{ from: location.pathname + location.search } satisfies ReturnTo} />;
}

function BackToWhereItWas() {
  const location = useLocation();
  const from = (location.state as ReturnTo | null)?.from;
  return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
}
