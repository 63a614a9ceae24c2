// A small bar chart as a PNG, drawn here without a graphics library: an RGB canvas, then the
// PNG format by hand (signature, IHDR, one zlib-compressed IDAT, IEND, each with its CRC-32).
import zlib from 'node:zlib';

export interface Bar {
  label: string;
  value: number;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an RGB canvas (width × height × 3 bytes) as a PNG. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export const CHART_SIZE = { width: 480, height: 200 };

/** Bars from left to right on a white ground with a baseline; the tallest reaches near the top. */
export function barChart(bars: Bar[], size = CHART_SIZE): Buffer {
  const { width, height } = size;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const fill = (x0: number, y0: number, x1: number, y1: number, [r, g, b]: [number, number, number]) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++)
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) rgb.set([r, g, b], (y * width + x) * 3);
  };
  const margin = 16;
  const base = height - margin;
  fill(margin, base, width - margin, base + 2, [120, 120, 120]);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = (width - 2 * margin) / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const h = Math.round((b.value / max) * (base - margin));
    const x0 = Math.round(margin + i * slot + slot * 0.2);
    fill(x0, base - h, Math.round(x0 + slot * 0.6), base, [32, 96, 160]);
  });
  return encodePng(width, height, rgb);
}
