"""Delivery: `deliver` brings partners' servers and hosts (SFTP, FTP, S3, HTTP push, any fsspec
URL) up to date with out/ after an export, from a ledger of what each holds (`delivery`,
`plan`, `ledger`, `remotes`), and `announce` pings the WebSub hub of each changed feed
(`websub`). Configured in the `deliver` section of syndicate.yaml (`options`)."""

from syndicate.deliver.delivery import DeliveryResult, TargetResult, deliver

__all__ = ["DeliveryResult", "TargetResult", "deliver"]
