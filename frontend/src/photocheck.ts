// photocheck: which chosen photos the server will take, told on the phone
// at once rather than after a long upload. The server takes JPEG and PNG
// of at most 15 MiB (evidence.DefaultMaxBytes; a deployment may lower it,
// and the server's refusal still says so); a gallery offers HEIC, WebP or
// GIF as readily. A file whose type the browser does not know is left to
// the server, which reads its content.

/** The most photos a supervisor's report takes (skygrid.MaxPhotos). */
export const MAX_PHOTOS = 5;

/** The largest photo the server takes when not configured lower (15 MiB). */
export const MAX_PHOTO_BYTES = 15 << 20;

const TAKEN = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png']);

export type PhotoRefusal = 'type' | 'size' | 'empty';

export interface PhotoIntake {
  /** The photos kept: those already chosen, then the new ones taken, up to max. */
  keep: File[];
  /** New photos refused, with why. */
  refused: { name: string; why: PhotoRefusal }[];
  /** New photos taken but left out because max were chosen. */
  over: number;
}

/** refusal says why the server would refuse f, or null. */
export function refusal(f: Pick<File, 'type' | 'size'>, maxBytes = MAX_PHOTO_BYTES): PhotoRefusal | null {
  if (f.size === 0) return 'empty';
  if (f.type !== '' && !TAKEN.has(f.type.toLowerCase())) return 'type';
  if (f.size > maxBytes) return 'size';
  return null;
}

/** intake adds the new photos to those chosen: the refused are named, the ones past max counted. */
export function intake(chosen: File[], added: File[], max: number, maxBytes = MAX_PHOTO_BYTES): PhotoIntake {
  const keep = [...chosen];
  const refused: PhotoIntake['refused'] = [];
  let over = 0;
  for (const f of added) {
    const why = refusal(f, maxBytes);
    if (why) refused.push({ name: f.name, why });
    else if (keep.length < max) keep.push(f);
    else over++;
  }
  return { keep, refused, over };
}

export type PhotoWord = PhotoRefusal | 'over';

/**
 * intakeNote says in one line what was not added and why (empty when all
 * were): say words each reason, given the file's name, or for 'over' how
 * many were left out and the most a report takes.
 */
export function intakeNote(r: PhotoIntake, max: number, say: (w: PhotoWord, vars: Record<string, string | number>) => string): string {
  const parts = r.refused.map((x) => say(x.why, { name: x.name }));
  if (r.over > 0) parts.push(say('over', { n: r.over, max }));
  return parts.join('；');
}
