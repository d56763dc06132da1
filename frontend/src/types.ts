// What the API answers about tasks (GET /api/tasks, GET /api/tasks/{id}).
export interface Task {
  id: number; event_id: number; state: string; version: number;
  grid_id?: string; grid_name?: string; township_id?: string; township_name?: string; county_id?: string; county_name?: string;
  supervisor_id?: number; supervisor_name?: string; supervisor_phone?: string;
  event_class?: string; lon: number; lat: number; first_seen?: string;
  ack_due?: string; report_due?: string; created_at?: string; updated_at?: string; dispatched_at?: string;
  acknowledged_at?: string; reported_at?: string; closed_at?: string;
  finding?: string; notes?: string; review_note?: string; reports?: number;
  escalation?: number; escalated_at?: string;
}

export interface Photo {
  id: number; sha256: string; url: string; thumb_url: string; stamped_url?: string;
  taken_at?: string; lon?: number; lat?: number; distance_m?: number; flags?: string[]; flag_names?: string[]; report?: number;
}

export interface TimelineEntry {
  at: string; action: string; actor: string;
  finding?: string; note?: string; from_grid?: string; to_grid?: string; photos?: string; flagged?: boolean; level?: string; assignee?: string;
}

export interface TaskView extends Task {
  navigation?: { amap?: string; baidu?: string; tianditu?: string; geo?: string };
  photos?: Photo[];
  event?: { id: number; class: string; class_name: string; first_seen: string; last_seen: string; hotspot_count: number };
  timeline?: TimelineEntry[];
  report?: { lon: number; lat: number; accuracy_m?: number; distance_m: number; far: boolean };
  reporter?: { name: string; phone?: string };
}

export interface Candidate {
  grid_id: string; grid_name: string; parent_name?: string; supervisor_name?: string; supervisor_phone?: string;
  distance_m: number; contains: boolean; geometry?: GeoJSON.Geometry;
}
