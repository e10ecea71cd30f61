// Files a phone sends straight to S3 with a presigned POST (`{url, fields}` from the API): the
// fields first, then the file, as S3's POST policy requires. S3 answers its refusals (too large,
// another type, expired) in XML, not as problem bodies: its <Message> becomes the error's text.

export class UploadRefused extends Error {
  constructor(status, text) {
    const message = /<Message>([^<]*)<\/Message>/.exec(text || "")?.[1];
    super(`the upload was refused (HTTP ${status})${message ? `: ${message}` : ""}`);
    this.status = status;
  }
}

/** POST `file` to the presigned `upload` ({url, fields}); resolves once S3 has stored it. */
export async function uploadPresigned(upload, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", file);
  let answer;
  try {
    answer = await fetch(upload.url, { method: "POST", body: form });
  } catch (error) {
    throw new Error(`the upload could not reach the photo storage (${error.message})`);
  }
  if (!answer.ok) throw new UploadRefused(answer.status, await answer.text());
}
