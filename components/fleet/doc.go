// Package fleet holds the EC2 Auto Scaling components: the API fleet's load balancer, the launch
// templates, the Auto Scaling Groups with their scaling, and their on-call alarms.
//
// Its components, each typed openwan:ec2:<Name>:
//   - [LoadBalancer] (openwan:ec2:LoadBalancer): the Application Load Balancer in front of the
//     API fleet, its target group and listeners, and the security groups that make it the only
//     way in.
//   - [LaunchTemplate] (openwan:ec2:LaunchTemplate): the launch template a fleet boots from, with
//     its instance role and profile.
//   - [Group] (openwan:ec2:AutoScalingGroup): an Auto Scaling Group with its target tracking,
//     step and scale-in policies, scheduled actions, lifecycle hooks and notifications.
//   - [GroupAlarms] (openwan:ec2:GroupAlarms): the on-call alarms of one group and its load
//     balancer.
//
// The alerts topic both paths page to is monitoring.Alerts; it keeps its openwan:ec2 token. What
// an instance runs at boot is package userdata (LaunchTemplateArgs.UserData), pure text tested
// without the SDKs.
package fleet
