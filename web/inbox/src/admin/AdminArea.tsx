import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useText } from '../i18n';
import { ADMIN_SECTIONS } from './sections';

/** `/app/admin/<section>`, administrators: a tab per section, each section at its own address. */
export default function AdminArea() {
  const text = useText();
  return (
    <main className="pane admin">
      <nav className="admin-sections" aria-label={text.admin}>
        {ADMIN_SECTIONS.map((section) => (
          <NavLink key={section.path} to={`/admin/${section.path}`}>
            {section.label(text)}
          </NavLink>
        ))}
      </nav>
      <Routes>
        {ADMIN_SECTIONS.map(({ path, component: Section }) => (
          <Route key={path} path={path} element={<Section />} />
        ))}
        <Route path="*" element={<Navigate to={`/admin/${ADMIN_SECTIONS[0].path}`} replace />} />
      </Routes>
    </main>
  );
}
