// What the API answers about tasks (GET /api/tasks, GET /api/tasks/{id}):
// the types generated from the Go types (api/types.gen.ts, make types).
export type { Candidate, PhotoView as Photo, Task, TaskView, TimelineEntry } from './api/types.gen';
