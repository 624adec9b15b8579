/**
 * A phone number reads left to right in every language: isolated, its "+" stays in front of the digits
 * in a right-to-left page and the text around it keeps its own order.
 */
export function PhoneNumber({ value }: { value: string | null }) {
  return (
    <bdi dir="ltr" className="phone" data-testid="phone-number">
      {value ?? ''}
    </bdi>
  );
}
