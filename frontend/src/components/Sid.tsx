import { shortSid } from './opsFormat';

/** A call SID, shortened (the whole SID in its title), read left to right in every language. */
export function Sid({ value }: { value: string }) {
  return (
    <bdi dir="ltr">
      <code title={value}>{shortSid(value)}</code>
    </bdi>
  );
}
