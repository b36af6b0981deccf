import { DraftsSection } from './DraftsSection';
import { FloorView } from './floor/FloorView';

/**
 * `/app/supervision`, supervisors and administrators: the live floor (members, the waiting queue, today's figures),
 * and trainees' drafts to approve.
 */
export default function SupervisionArea() {
  return (
    <main className="pane supervision">
      <FloorView />
      <DraftsSection />
    </main>
  );
}
