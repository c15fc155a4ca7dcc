// Hardhat 2 is used only as the local EVM node (contracts are compiled with the solc npm package).
// CHAIN_BLOCK_TIME_MS=0 mines each transaction at once; 12000 gives Sepolia-like 12-second blocks.
const blockTimeMs = Number(process.env.CHAIN_BLOCK_TIME_MS || 0);

module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      mining: blockTimeMs > 0 ? { auto: false, interval: blockTimeMs } : { auto: true },
    },
  },
};
