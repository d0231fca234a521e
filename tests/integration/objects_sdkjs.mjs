// @aws-sdk/client-s3 v3 with default settings against stratus. Usage: node objects_sdkjs.mjs ENDPOINT
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const s3sdk = require('@aws-sdk/client-s3');
const {
  S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, CreateMultipartUploadCommand,
  UploadPartCommand, CompleteMultipartUploadCommand, CreateBucketCommand, ListBucketsCommand,
} = s3sdk;

const endpoint = process.argv[2];
const client = new S3Client({
  endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
let failures = 0;
const check = (name, ok, detail) => {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${name}${ok ? '' : ' ' + JSON.stringify(detail)}`);
  if (!ok) failures++;
};
const md5 = (b) => createHash('md5').update(b).digest('hex');
const bytes = async (body) => Buffer.from(await body.transformToByteArray());

const B = 'js-bucket';
const small = Buffer.from('hello from the v3 SDK');
const put = await client.send(new PutObjectCommand({ Bucket: B, Key: 'small.txt', Body: small, ContentType: 'text/plain', Metadata: { a: 'b' } }));
check('put with default checksum: ETag', put.ETag === `"${md5(small)}"`, put.ETag);
check('put answers the CRC32 the SDK sent', typeof put.ChecksumCRC32 === 'string' && put.ChecksumCRC32.length === 8, put);
const got = await client.send(new GetObjectCommand({ Bucket: B, Key: 'small.txt', ChecksumMode: 'ENABLED' }));
check('get (SDK validates the CRC32)', (await bytes(got.Body)).equals(small));
check('metadata', got.Metadata.a === 'b' && got.ContentType === 'text/plain', got.Metadata);

const big = randomBytes(3 * 1024 * 1024 + 17);
await client.send(new PutObjectCommand({ Bucket: B, Key: 'big.bin', Body: big }));
const bigBack = await client.send(new GetObjectCommand({ Bucket: B, Key: 'big.bin' }));
check('3 MiB streamed body round-trips', (await bytes(bigBack.Body)).equals(big));

for (const algo of ['CRC32C', 'SHA1', 'SHA256']) {
  const r = await client.send(new PutObjectCommand({ Bucket: B, Key: `ck-${algo}`, Body: big.subarray(0, 100000), ChecksumAlgorithm: algo }));
  const g = await client.send(new GetObjectCommand({ Bucket: B, Key: `ck-${algo}`, ChecksumMode: 'ENABLED' }));
  await bytes(g.Body);
  check(`checksum ${algo}`, r[`Checksum${algo}`] && g[`Checksum${algo}`] === r[`Checksum${algo}`], [r[`Checksum${algo}`], g[`Checksum${algo}`]]);
}

const mp = await client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp.bin' }));
const p1 = randomBytes(5 * 1024 * 1024), p2 = randomBytes(100);
const e1 = (await client.send(new UploadPartCommand({ Bucket: B, Key: 'mp.bin', UploadId: mp.UploadId, PartNumber: 1, Body: p1 }))).ETag;
const e2 = (await client.send(new UploadPartCommand({ Bucket: B, Key: 'mp.bin', UploadId: mp.UploadId, PartNumber: 2, Body: p2 }))).ETag;
const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'mp.bin', UploadId: mp.UploadId,
  MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }));
const want = createHash('md5').update(Buffer.concat([createHash('md5').update(p1).digest(), createHash('md5').update(p2).digest()])).digest('hex');
check('multipart ETag', done.ETag === `"${want}-2"`, done.ETag);
const mpBack = await client.send(new GetObjectCommand({ Bucket: B, Key: 'mp.bin' }));
check('multipart body', (await bytes(mpBack.Body)).equals(Buffer.concat([p1, p2])));

await client.send(new CopyObjectCommand({ Bucket: B, Key: 'copy.txt', CopySource: `${B}/small.txt` }));
const head = await client.send(new HeadObjectCommand({ Bucket: B, Key: 'copy.txt' }));
check('copy', head.ContentLength === small.length && head.Metadata.a === 'b', head);

const list = await client.send(new ListObjectsV2Command({ Bucket: B }));
check('list', list.Contents.map((o) => o.Key).join(',') === 'big.bin,ck-CRC32C,ck-SHA1,ck-SHA256,copy.txt,mp.bin,small.txt', list.Contents.map((o) => o.Key));
const del = await client.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'copy.txt' }, { Key: 'big.bin' }] } }));
check('delete objects (Content-MD5/CRC32 body checksum)', del.Deleted.length === 2, del);
await client.send(new DeleteObjectCommand({ Bucket: B, Key: 'small.txt' }));
try {
  await client.send(new GetObjectCommand({ Bucket: B, Key: 'small.txt' }));
  check('NoSuchKey', false);
} catch (e) {
  check('NoSuchKey', e.name === 'NoSuchKey' && e.$metadata.httpStatusCode === 404 && e.$metadata.requestId, e.name);
}
try {
  await client.send(new CreateBucketCommand({ Bucket: B }));
  check('BucketAlreadyOwnedByYou', false);
} catch (e) {
  check('BucketAlreadyOwnedByYou', e.name === 'BucketAlreadyOwnedByYou', e.name);
}
const buckets = await client.send(new ListBucketsCommand({}));
check('list buckets', buckets.Buckets.some((b) => b.Name === B));
console.log(`${failures} failure(s)`);
process.exit(failures ? 1 : 0);
