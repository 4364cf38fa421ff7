/**
 * The Confluent wire format: a magic byte 0, the schema's id as 4 bytes big-endian, then the record (Avro binary; a
 * Protobuf message is preceded by its message-index array). What Confluent's and Apicurio's deserializers read.
 */
export const FRAME_BYTES = 5;

/** The 5 bytes that start every record of a schema id. */
export function frameOf(schemaId: number): Buffer {
  const frame = Buffer.alloc(FRAME_BYTES);
  frame.writeUInt32BE(schemaId, 1);
  return frame;
}

/** The schema id of a framed record at `start`, or -1 when it is not framed (too short, another magic byte). */
export function frameIdAt(buf: Buffer, start: number, end: number): number {
  if (end - start < FRAME_BYTES || buf[start] !== 0) return -1;
  return buf.readUInt32BE(start + 1);
}
