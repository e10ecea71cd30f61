// A QR code as an <img> (a GIF data URL drawn by the vendored qrcode-generator, MIT): no canvas, no
// markup strings, nothing fetched.
import qrcode from "../vendor/qrcode-generator/qrcode.mjs";

const CELL_PX = 5;
const MARGIN_PX = 10;

export function qrImage(text, alt) {
  const code = qrcode(0, "M"); // 0: the smallest version that holds the text
  code.addData(text);
  code.make();
  const image = document.createElement("img");
  image.src = code.createDataURL(CELL_PX, MARGIN_PX);
  image.alt = alt;
  image.className = "qr";
  return image;
}
