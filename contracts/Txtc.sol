// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title TXTC, the token people buy with airtime.
/// @notice Every mint and every relayed transfer carries a unique 32-byte reference (keccak256 of the off-chain
/// reference string, e.g. "conversion-abc:mint", "transfer:api:k:send"). Mints and transfers share one set of
/// references: a reference is used once, so a retried mint or transfer reverts instead of moving TXTC twice.
/// @dev Holders keep no ETH: a holder signs a ReferencedTransfer (EIP-712, the permit domain: name "TXTC",
/// version "1") and an account with RELAYER_ROLE (the platform's signer) submits it and pays the gas.
contract Txtc is ERC20, ERC20Permit, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice May submit transfers that holders authorised by signature.
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");
    bytes32 public constant TRANSFER_TYPEHASH =
        keccak256("ReferencedTransfer(address from,address to,uint256 value,bytes32 ref,uint256 deadline)");

    /// @notice reference => whether a mint or a transfer used it
    mapping(bytes32 => bool) public referenceUsed;

    /// @notice One signed transfer of a batch, the arguments of transferWithAuthorization.
    struct TransferEntry {
        address from;
        address to;
        uint256 value;
        bytes32 ref;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice One mint of a batch: `amount` to `to` under `ref`, if the batch is mined by `deadline` (unix time).
    /// @dev The deadline makes "not minted" final: once the chain is past it, a mint still pending never lands,
    /// so the airtime behind it can be refunded without a mint arriving afterwards.
    struct MintEntry {
        address to;
        uint256 amount;
        bytes32 ref;
        uint256 deadline;
    }

    /// @notice Why transferBatch skipped an entry; TransferSkipped carries it as uint8:
    /// 1 zero reference, 2 reference already used, 3 authorisation expired, 4 signature not from `from`
    /// (or malformed), 5 zero receiver, 6 balance short of `value`.
    enum SkipReason {
        None,
        ZeroReference,
        ReferenceUsed,
        Expired,
        BadSignature,
        ZeroReceiver,
        InsufficientBalance
    }

    event ReferencedMint(bytes32 indexed ref, address indexed to, uint256 amount);
    event ReferencedTransfer(bytes32 indexed ref, address indexed from, address indexed to, uint256 value);
    event TransferSkipped(bytes32 indexed ref, uint8 reason);
    /// @notice mintBatch skipped an entry; reason as for TransferSkipped (1 zero reference, 2 reference already
    /// used, 3 deadline passed, 5 zero receiver).
    event MintSkipped(bytes32 indexed ref, uint8 reason);

    error ReferenceAlreadyUsed(bytes32 ref);
    error ZeroReference();
    error AuthorisationExpired();
    error InvalidAuthorisation();

    constructor(address admin) ERC20("TXTC", "TXTC") ERC20Permit("TXTC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
        _grantRole(RELAYER_ROLE, admin);
    }

    /// @notice Mint `amount` base units to `to`, once per `ref`.
    function mint(address to, uint256 amount, bytes32 ref) external onlyRole(MINTER_ROLE) {
        if (ref == bytes32(0)) revert ZeroReference();
        if (referenceUsed[ref]) revert ReferenceAlreadyUsed(ref);
        _applyMint(to, amount, ref);
    }

    /// @notice Apply each mint entry that mint would accept and whose deadline has not passed; skip the others
    /// (MintSkipped) without reverting, so a reused reference never sinks the rest. Returns how many were applied.
    function mintBatch(MintEntry[] calldata entries) public onlyRole(MINTER_ROLE) returns (uint256 applied) {
        for (uint256 i = 0; i < entries.length; i++) {
            if (_tryMint(entries[i])) applied++;
        }
    }

    /// @notice One transaction for everything the platform's signer has to write: mints, then relayed transfers
    /// (so a transfer may spend TXTC minted earlier in the same batch). Returns how many entries were applied.
    function writeBatch(
        MintEntry[] calldata mints,
        TransferEntry[] calldata transfers
    ) external returns (uint256 applied) {
        if (mints.length > 0) applied = mintBatch(mints);
        if (transfers.length > 0) applied += transferBatch(transfers);
    }

    /// @notice Move `value` from `from` to `to`, once per `ref`, as `from` authorised by signature.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        bytes32 ref,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external onlyRole(RELAYER_ROLE) {
        if (ref == bytes32(0)) revert ZeroReference();
        if (referenceUsed[ref]) revert ReferenceAlreadyUsed(ref);
        if (block.timestamp > deadline) revert AuthorisationExpired();
        if (!_authorised(from, _structHash(from, to, value, ref, deadline), v, r, s)) revert InvalidAuthorisation();
        _applyTransfer(from, to, value, ref);
    }

    /// @notice Apply each entry that transferWithAuthorization would accept; skip the others (TransferSkipped)
    /// without reverting, so one bad entry never sinks the rest. Returns how many were applied.
    function transferBatch(TransferEntry[] calldata entries) public onlyRole(RELAYER_ROLE) returns (uint256 applied) {
        for (uint256 i = 0; i < entries.length; i++) {
            if (_tryTransfer(entries[i])) applied++;
        }
    }

    /// @dev One entry of mintBatch: applied if _mintSkipReason finds nothing against it, else MintSkipped.
    function _tryMint(MintEntry calldata entry) private returns (bool) {
        SkipReason reason = _mintSkipReason(entry);
        if (reason == SkipReason.None) _applyMint(entry.to, entry.amount, entry.ref);
        else emit MintSkipped(entry.ref, uint8(reason));
        return reason == SkipReason.None;
    }

    /// @dev One entry of transferBatch: applied if _skipReason finds nothing against it, else TransferSkipped.
    function _tryTransfer(TransferEntry calldata entry) private returns (bool) {
        SkipReason reason = _skipReason(entry);
        if (reason == SkipReason.None) _applyTransfer(entry.from, entry.to, entry.value, entry.ref);
        else emit TransferSkipped(entry.ref, uint8(reason));
        return reason == SkipReason.None;
    }

    /// @dev Only after the caller's checks (mint reverts, _tryMint skips).
    function _applyMint(address to, uint256 amount, bytes32 ref) private {
        referenceUsed[ref] = true;
        _mint(to, amount);
        emit ReferencedMint(ref, to, amount);
    }

    /// @dev Only after the caller's checks (transferWithAuthorization reverts, _tryTransfer skips).
    function _applyTransfer(address from, address to, uint256 value, bytes32 ref) private {
        referenceUsed[ref] = true;
        _transfer(from, to, value);
        emit ReferencedTransfer(ref, from, to, value);
    }

    function _mintSkipReason(MintEntry calldata entry) private view returns (SkipReason) {
        if (entry.ref == bytes32(0)) return SkipReason.ZeroReference;
        if (referenceUsed[entry.ref]) return SkipReason.ReferenceUsed;
        if (block.timestamp > entry.deadline) return SkipReason.Expired;
        if (entry.to == address(0)) return SkipReason.ZeroReceiver;
        return SkipReason.None;
    }

    function _skipReason(TransferEntry calldata entry) private view returns (SkipReason) {
        if (entry.ref == bytes32(0)) return SkipReason.ZeroReference;
        if (referenceUsed[entry.ref]) return SkipReason.ReferenceUsed;
        if (block.timestamp > entry.deadline) return SkipReason.Expired;
        bytes32 structHash = _structHash(entry.from, entry.to, entry.value, entry.ref, entry.deadline);
        if (!_authorised(entry.from, structHash, entry.v, entry.r, entry.s)) return SkipReason.BadSignature;
        if (entry.to == address(0)) return SkipReason.ZeroReceiver;
        if (balanceOf(entry.from) < entry.value) return SkipReason.InsufficientBalance;
        return SkipReason.None;
    }

    function _structHash(
        address from,
        address to,
        uint256 value,
        bytes32 ref,
        uint256 deadline
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(TRANSFER_TYPEHASH, from, to, value, ref, deadline));
    }

    /// @dev tryRecover: a malformed signature is a refusal, never a revert that would sink a batch.
    function _authorised(address from, bytes32 structHash, uint8 v, bytes32 r, bytes32 s) private view returns (bool) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(_hashTypedDataV4(structHash), v, r, s);
        return err == ECDSA.RecoverError.NoError && signer == from;
    }
}
