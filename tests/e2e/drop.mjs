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
