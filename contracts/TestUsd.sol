// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title A USD-pegged test token (6 decimals, like USDC) for the local TXTC/USD Uniswap V2 pair.
/// @notice Local and test chains only; on a public chain the pair uses a real stablecoin.
contract TestUsd is ERC20, Ownable {
    constructor(address owner) ERC20("Test USD", "tUSD") Ownable(owner) {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
