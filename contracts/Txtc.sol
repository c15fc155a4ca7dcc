// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title TXTC, the token people buy with airtime.
/// @notice Every mint carries a unique 32-byte reference (keccak256 of the off-chain reference string,
/// e.g. "conversion-abc:mint"). A reference can mint once: a retried mint reverts instead of minting twice.
contract Txtc is ERC20, ERC20Permit, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice reference => whether a mint used it
    mapping(bytes32 => bool) public referenceUsed;

    event ReferencedMint(bytes32 indexed ref, address indexed to, uint256 amount);

    error ReferenceAlreadyUsed(bytes32 ref);
    error ZeroReference();

    constructor(address admin) ERC20("TXTC", "TXTC") ERC20Permit("TXTC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Mint `amount` base units to `to`, once per `ref`.
    function mint(address to, uint256 amount, bytes32 ref) external onlyRole(MINTER_ROLE) {
        if (ref == bytes32(0)) revert ZeroReference();
        if (referenceUsed[ref]) revert ReferenceAlreadyUsed(ref);
        referenceUsed[ref] = true;
        _mint(to, amount);
        emit ReferencedMint(ref, to, amount);
    }
}
