// Shared by the end-to-end tests.

/** Drops a real JPEG (drawn on a canvas in the page) on a tile, as from the file manager. */
export async function dropJpeg(s, category, name) {
  await s.executeAsync(
    `const [category, name, done] = arguments;
     const canvas = document.createElement("canvas");
     canvas.width = 640; canvas.height = 480;
     const ctx = canvas.getContext("2d");
     ctx.fillStyle = "#005EB8"; ctx.fillRect(0, 0, 640, 480);
     ctx.fillStyle = "#fff"; ctx.fillRect(100, 100, 200, 120);
     canvas.toBlob((blob) => {
       const dt = new DataTransfer();
       dt.items.add(new File([blob], name, { type: "image/jpeg" }));
       const tile = document.querySelector('#tiles button[data-category="' + category + '"]');
       tile.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
       done(true);
     }, "image/jpeg", 0.9);`,
    [category, name],
  );
}

/** Drops a real TIFF page scan (uncompressed 8-bit grey, written in the page) on a tile. */
export async function dropTiff(s, category, name, width, height) {
  await s.execute(
    `const [category, name, width, height] = arguments;
     const entries = [[256, 3, width], [257, 3, height], [258, 3, 8], [259, 3, 1], [262, 3, 1],
       [273, 4, 0], [277, 3, 1], [278, 3, height], [279, 4, width * height]];
     const dataAt = 8 + 2 + entries.length * 12 + 4;
     const out = new DataView(new ArrayBuffer(dataAt + width * height));
     [0x49, 0x49, 0x2a, 0x00].forEach((b, i) => out.setUint8(i, b));
     out.setUint32(4, 8, true);
     out.setUint16(8, entries.length, true);
     entries.forEach(([tag, type, value], i) => {
       const at = 10 + i * 12;
       out.setUint16(at, tag, true); out.setUint16(at + 2, type, true); out.setUint32(at + 4, 1, true);
       if (type === 3) out.setUint16(at + 8, value, true); else out.setUint32(at + 8, tag === 273 ? dataAt : value, true);
     });
     // Lines of "text" on white.
     for (let y = 0; y < height; y++)
       for (let x = 0; x < width; x++)
         out.setUint8(dataAt + y * width + x, y % 48 < 20 && x > 80 && x < width - 200 ? 40 : 245);
     const dt = new DataTransfer();
     dt.items.add(new File([out.buffer], name, { type: "image/tiff" }));
     const tile = document.querySelector('#tiles button[data-category="' + category + '"]');
     tile.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));`,
    [category, name, width, height],
  );
}
