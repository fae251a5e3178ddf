// Package monitoring holds what watches the platform and whom it tells, on both paths, from
// CloudWatch, SNS and AWS Budgets.
//
// Its components, each typed openwan:monitoring:<Name> but for the alerts topic:
//   - [Alerts] (openwan:ec2:Alerts): the KMS-encrypted SNS topic every alarm, page and scaling
//     notification goes to, with its e-mail subscriptions. It lived in package fleet, and keeps
//     the token it landed with: the token is in every child's URN.
//   - [SLOAlarms] (openwan:monitoring:SLOAlarms): an API load balancer's latency and error-rate
//     alarms.
//   - [AtMaxAlarms] (openwan:monitoring:AtMaxAlarms): alarms on workloads that sit at their HPA's
//     maximum.
//   - [Dashboard] (openwan:monitoring:Dashboard): the stack's CloudWatch dashboard.
//   - [Budget] (openwan:monitoring:Budget): the stack's monthly cost budget.
package monitoring
