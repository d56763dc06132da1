import { describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES, intake, intakeNote, refusal } from './photocheck';
import { dictionaries, t } from './i18n';

const file = (name: string, type: string, size: number) => ({ name, type, size }) as File;

describe('refusal', () => {
  it('takes JPEG and PNG up to 15 MiB, and what the browser cannot name', () => {
    expect(refusal(file('a.jpg', 'image/jpeg', 3 << 20))).toBeNull();
    expect(refusal(file('a.PNG', 'image/png', MAX_PHOTO_BYTES))).toBeNull();
    expect(refusal(file('a.jpg', 'IMAGE/JPEG', 1))).toBeNull();
    expect(refusal(file('odd', '', 1000))).toBeNull();
  });
  it('refuses HEIC, WebP and GIF, a photo over the limit, an empty file', () => {
    expect(refusal(file('IMG_1.HEIC', 'image/heic', 2 << 20))).toBe('type');
    expect(refusal(file('a.webp', 'image/webp', 2 << 20))).toBe('type');
    expect(refusal(file('a.gif', 'image/gif', 2 << 20))).toBe('type');
    expect(refusal(file('big.jpg', 'image/jpeg', MAX_PHOTO_BYTES + 1))).toBe('size');
    expect(refusal(file('big.jpg', 'image/jpeg', 2000), 1000)).toBe('size');
    expect(refusal(file('none.jpg', 'image/jpeg', 0))).toBe('empty');
  });
});

describe('intake', () => {
  it('keeps those chosen, adds the good ones up to the most, names the refused and counts the rest', () => {
    const had = [file('1.jpg', 'image/jpeg', 10), file('2.jpg', 'image/jpeg', 10)];
    const added = [file('3.jpg', 'image/jpeg', 10), file('x.heic', 'image/heic', 10), file('4.png', 'image/png', 10), file('5.jpg', 'image/jpeg', 10),
      file('6.jpg', 'image/jpeg', 10), file('7.jpg', 'image/jpeg', 10)];
    const r = intake(had, added, 5);
    expect(r.keep.map((f) => f.name)).toEqual(['1.jpg', '2.jpg', '3.jpg', '4.png', '5.jpg']);
    expect(r.refused).toEqual([{ name: 'x.heic', why: 'type' }]);
    expect(r.over).toBe(2);
    expect(had).toHaveLength(2);
  });
  it('says nothing when all were added', () => {
    const r = intake([], [file('1.jpg', 'image/jpeg', 10)], 5);
    expect(intakeNote(r, 5, (w) => w)).toBe('');
  });
});

describe('intakeNote in the app\'s words', () => {
  it('names each refused photo and how many were left out, in Chinese', () => {
    const r = intake([], [file('IMG_1.HEIC', 'image/heic', 10), file('big.jpg', 'image/jpeg', MAX_PHOTO_BYTES + 1),
      ...Array.from({ length: 7 }, (_, i) => file(`${i}.jpg`, 'image/jpeg', 10))], 5);
    const said = intakeNote(r, 5, (w, vars) => t(`photo.${w}`, vars, 'zh'));
    expect(said).toBe('「IMG_1.HEIC」不是 JPEG 或 PNG 照片，没有加上（请用相机拍照，或选 JPG 照片）；「big.jpg」超过 15 MB，没有加上；最多 5 张，另外 2 张没有加上');
    for (const w of ['type', 'size', 'empty', 'over']) expect(dictionaries.en[`photo.${w}`], w).toBeTruthy();
  });
});
