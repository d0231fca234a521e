// @aws-sdk/client-sqs v3 (the JSON 1.0 protocol; the SDK verifies MD5OfMessageBody on send
// and receive) and @aws-sdk/client-lambda's event source mappings against a running stratus.
// Usage: node queue_sdk_js.js ENDPOINT. Exits 1 if any check failed.
'use strict';
const sqsLib = require('@aws-sdk/client-sqs');
const lambdaLib = require('@aws-sdk/client-lambda');
const crypto = require('crypto');

const endpoint = process.argv[2];
const common = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
const sqs = new sqsLib.SQSClient(common);
const lambda = new lambdaLib.LambdaClient(common);
let failures = 0;
function check(name, actual, expected) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a === e) console.log(`ok: ${name}`);
  else { failures++; console.error(`FAIL: ${name}: got ${a}, want ${e}`); }
}
const send = (Command, input) => sqs.send(new sqsLib[Command](input));
async function errorOf(Command, input) {
  try { await send(Command, input); return null; } catch (e) { return [e.name, e.Code || (e.Error && e.Error.Code) || e.$response?.headers?.['x-amzn-query-error']]; }
}

async function main() {
  const { QueueUrl: url } = await send('CreateQueueCommand', { QueueName: 'js', Attributes: { VisibilityTimeout: '25' }, tags: { a: '1' } });
  check('CreateQueue', url, `${endpoint}/000000000000/js`);
  check('GetQueueUrl', (await send('GetQueueUrlCommand', { QueueName: 'js' })).QueueUrl, url);
  check('ListQueues', (await send('ListQueuesCommand', { QueueNamePrefix: 'js' })).QueueUrls, [url]);
  const attrs = (await send('GetQueueAttributesCommand', { QueueUrl: url, AttributeNames: ['All'] })).Attributes;
  check('GetQueueAttributes', attrs.VisibilityTimeout, '25');
  await send('SetQueueAttributesCommand', { QueueUrl: url, Attributes: { DelaySeconds: '0' } });
  const missing = await errorOf('GetQueueUrlCommand', { QueueName: 'nope' });
  check('QueueDoesNotExist', missing && missing[0], 'QueueDoesNotExist');

  const body = 'js body ✓ \r\n <&>';
  const sent = await send('SendMessageCommand', { QueueUrl: url, MessageBody: body,
    MessageAttributes: { k: { DataType: 'String', StringValue: 'v' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) } } });
  check('SendMessage md5', sent.MD5OfMessageBody, crypto.createHash('md5').update(body).digest('hex'));
  const got = await send('ReceiveMessageCommand', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
    MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] });
  check('ReceiveMessage', [got.Messages.length, got.Messages[0].Body, got.Messages[0].MessageAttributes.k.StringValue], [1, body, 'v']);
  check('ReceiveMessage binary', Buffer.from(got.Messages[0].MessageAttributes.b.BinaryValue).toString('hex'), '000102');
  check('ReceiveMessage system attributes', got.Messages[0].Attributes.ApproximateReceiveCount, '1');
  const handle = got.Messages[0].ReceiptHandle;
  await send('ChangeMessageVisibilityCommand', { QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 });
  const again = await send('ReceiveMessageCommand', { QueueUrl: url });
  await send('DeleteMessageCommand', { QueueUrl: url, ReceiptHandle: again.Messages[0].ReceiptHandle });
  const notInflight = await errorOf('ChangeMessageVisibilityCommand', { QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 1 });
  check('MessageNotInflight', notInflight && notInflight[0], 'MessageNotInflight');

  const batch = await send('SendMessageBatchCommand', { QueueUrl: url, Entries: [...Array(10).keys()].map(i => ({ Id: `e${i}`, MessageBody: `m${i}` })) });
  check('SendMessageBatch', batch.Successful.length, 10);
  const tooMany = await errorOf('SendMessageBatchCommand', { QueueUrl: url, Entries: [...Array(11).keys()].map(i => ({ Id: `e${i}`, MessageBody: 'x' })) });
  check('TooManyEntriesInBatchRequest', tooMany && tooMany[0], 'TooManyEntriesInBatchRequest');
  const some = await send('ReceiveMessageCommand', { QueueUrl: url, MaxNumberOfMessages: 10 });
  check('Receive ten', some.Messages.length, 10);
  const changed = await send('ChangeMessageVisibilityBatchCommand', { QueueUrl: url, Entries: [{ Id: 'c', ReceiptHandle: some.Messages[0].ReceiptHandle, VisibilityTimeout: 0 }] });
  check('ChangeMessageVisibilityBatch', changed.Successful.map(e => e.Id), ['c']);
  const deleted = await send('DeleteMessageBatchCommand', { QueueUrl: url, Entries: some.Messages.slice(1).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
  check('DeleteMessageBatch', deleted.Successful.length, 9);
  await send('PurgeQueueCommand', { QueueUrl: url });
  check('PurgeQueue', (await send('ReceiveMessageCommand', { QueueUrl: url })).Messages, undefined);
  await send('TagQueueCommand', { QueueUrl: url, Tags: { b: '2' } });
  await send('UntagQueueCommand', { QueueUrl: url, TagKeys: ['a'] });
  check('ListQueueTags', (await send('ListQueueTagsCommand', { QueueUrl: url })).Tags, { b: '2' });

  const dlq = (await send('CreateQueueCommand', { QueueName: 'js-dlq' })).QueueUrl;
  const src = (await send('CreateQueueCommand', { QueueName: 'js-src', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:js-dlq', maxReceiveCount: 1 }) } })).QueueUrl;
  check('ListDeadLetterSourceQueues', (await send('ListDeadLetterSourceQueuesCommand', { QueueUrl: dlq })).queueUrls, [src]);

  const fifo = (await send('CreateQueueCommand', { QueueName: 'js.fifo', Attributes: { FifoQueue: 'true' } })).QueueUrl;
  const s1 = await send('SendMessageCommand', { QueueUrl: fifo, MessageBody: 'one', MessageGroupId: 'g', MessageDeduplicationId: '1' });
  const s2 = await send('SendMessageCommand', { QueueUrl: fifo, MessageBody: 'one again', MessageGroupId: 'g', MessageDeduplicationId: '1' });
  check('FIFO dedup', s2.MessageId, s1.MessageId);
  await send('SendMessageCommand', { QueueUrl: fifo, MessageBody: 'two', MessageGroupId: 'g', MessageDeduplicationId: '2' });
  const ordered = await send('ReceiveMessageCommand', { QueueUrl: fifo, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['SequenceNumber'] });
  check('FIFO order', ordered.Messages.map(m => m.Body), ['one', 'two']);
  await send('DeleteQueueCommand', { QueueUrl: fifo });
  const gone = await errorOf('GetQueueUrlCommand', { QueueName: 'js.fifo' });
  check('DeleteQueue', gone && gone[0], 'QueueDoesNotExist');

  const created = await lambda.send(new lambdaLib.CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:js', BatchSize: 3 }));
  check('CreateEventSourceMapping', created.BatchSize, 3);
  const listed = await lambda.send(new lambdaLib.ListEventSourceMappingsCommand({ EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:js' }));
  check('ListEventSourceMappings', listed.EventSourceMappings.map(m => m.UUID), [created.UUID]);
  await lambda.send(new lambdaLib.DeleteEventSourceMappingCommand({ UUID: created.UUID }));
  try { await lambda.send(new lambdaLib.GetEventSourceMappingCommand({ UUID: created.UUID })); check('mapping deleted', false, true); }
  catch (e) { check('mapping deleted', e.name, 'ResourceNotFoundException'); }
}

main().then(() => process.exit(failures ? 1 : 0), (e) => { console.error('FAIL: unexpected', e); process.exit(1); });
