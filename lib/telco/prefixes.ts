/**
 * Which operator a number belongs to, by the leading digits of its national significant number.
 * Kept as data: ops add a prefix here when an operator opens a new range. Longest prefix wins.
 * Numbers get ported, so an explicit operator in a request wins over this table.
 */
export interface OperatorPrefixes {
  operator: string;
  prefixes: string[];
}

export const OPERATOR_PREFIXES: Record<string, OperatorPrefixes[]> = {
  KE: [
    {
      operator: 'safaricom-ke',
      prefixes: [
        '70',
        '71',
        '72',
        '740',
        '741',
        '742',
        '743',
        '745',
        '746',
        '748',
        '757',
        '758',
        '759',
        '768',
        '769',
        '79',
        '110',
        '111',
        '112',
        '113',
        '114',
        '115',
      ],
    },
    {
      operator: 'airtel-ke',
      prefixes: ['73', '750', '751', '752', '753', '754', '755', '756', '762', '78', '100', '101', '102'],
    },
    { operator: 'telkom-ke', prefixes: ['77'] },
  ],
  UG: [
    { operator: 'mtn-ug', prefixes: ['76', '77', '78', '39'] },
    { operator: 'airtel-ug', prefixes: ['70', '74', '75', '20'] },
  ],
  GH: [
    { operator: 'mtn-gh', prefixes: ['24', '25', '53', '54', '55', '59'] },
    { operator: 'telecel-gh', prefixes: ['20', '50'] },
    { operator: 'airteltigo-gh', prefixes: ['26', '27', '56', '57'] },
  ],
  NG: [
    {
      operator: 'mtn-ng',
      prefixes: ['703', '704', '706', '707', '803', '806', '810', '813', '814', '816', '903', '906', '913', '916'],
    },
    { operator: 'airtel-ng', prefixes: ['701', '708', '802', '808', '812', '901', '902', '904', '907', '912'] },
    { operator: 'glo-ng', prefixes: ['705', '805', '807', '811', '815', '905', '915'] },
    { operator: '9mobile-ng', prefixes: ['809', '817', '818', '908', '909'] },
  ],
};
