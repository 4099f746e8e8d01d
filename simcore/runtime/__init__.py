"""What runs inside pods: container processes, their files and their logs."""
