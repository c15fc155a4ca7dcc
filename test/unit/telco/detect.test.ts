import { identifySubscriber, PhoneNumberError } from '../../../lib/telco/detect';

describe('operator detection from the number', () => {
  test.each([
    ['+254712345678', 'safaricom-ke'],
    ['254722000111', 'safaricom-ke'],
    ['+254 110 123456', 'safaricom-ke'],
    ['+254733123456', 'airtel-ke'],
    ['+254751234567', 'airtel-ke'],
    ['+254771234567', 'telkom-ke'],
    ['+256772123456', 'mtn-ug'],
    ['+256701234567', 'airtel-ug'],
    ['+233241234567', 'mtn-gh'],
    ['+233201234567', 'telecel-gh'],
    ['+233261234567', 'airteltigo-gh'],
    ['+2348031234567', 'mtn-ng'],
    ['+2348021234567', 'airtel-ng'],
    ['+2348051234567', 'glo-ng'],
    ['+2348091234567', '9mobile-ng'],
  ])('%s is %s', (number, operator) => {
    expect(identifySubscriber(number).operator).toBe(operator);
  });

  test('numbers come out in E.164', () => {
    expect(identifySubscriber('254 712 345 678')).toEqual({
      phoneNumber: '+254712345678',
      country: 'KE',
      operator: 'safaricom-ke',
    });
  });

  test('an explicit operator wins over the prefix (ported numbers), within the number’s country', () => {
    expect(identifySubscriber('+254712345678', 'airtel').operator).toBe('airtel-ke');
    expect(identifySubscriber('+256772123456', 'MTN').operator).toBe('mtn-ug');
    expect(identifySubscriber('+254712345678', 'telkom-ke').operator).toBe('telkom-ke');
    expect(() => identifySubscriber('+254712345678', 'mtn')).toThrow(/does not serve KE/);
  });

  test.each([
    ['+2547', 'InvalidPhoneNumber'],
    ['hello', 'InvalidPhoneNumber'],
    ['0712345678', 'InvalidPhoneNumber'],
    ['+14155550100', 'UnsupportedCountry'],
    ['+447911123456', 'UnsupportedCountry'],
  ])('%s is refused as %s', (number, code) => {
    expect(() => identifySubscriber(number)).toThrow(PhoneNumberError);
    try {
      identifySubscriber(number);
    } catch (e) {
      expect((e as PhoneNumberError).code).toBe(code);
    }
  });
});
