import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientLimitKey } from '../common/http/client-address.js';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthService } from './auth.service.js';
import { acceptedView, loginBody, loginView, passwordResetBody, passwordResetConfirmBody, signedInMemberView, signupBody } from './teams.schema.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Answers(loginView, 'Signed in: the access token and who it is for.')
  @Post('login')
  @HttpCode(200)
  login(@ValidBody(loginBody) body: z.output<typeof loginBody>, @Req() request: FastifyRequest) {
    // request.ip is the socket's address unless the operator trusts proxies (HUB_TRUST_PROXY, set in hub.ts).
    return this.auth.login(body, clientLimitKey(request.ip));
  }

  @Answers(signedInMemberView, 'The new member; they sign in next.')
  @Post('signup')
  signup(@ValidBody(signupBody) body: z.output<typeof signupBody>, @Req() request: FastifyRequest) {
    return this.auth.signup(body, clientLimitKey(request.ip));
  }

  @Answers(acceptedView, 'Taken, whether or not the address has an account: a code goes to it when it does.')
  @Post('password-reset')
  @HttpCode(202)
  async requestReset(@ValidBody(passwordResetBody) body: z.output<typeof passwordResetBody>, @Req() request: FastifyRequest) {
    await this.auth.requestPasswordReset(body.email, clientLimitKey(request.ip));
    return { accepted: true };
  }

  @Post('password-reset/confirm')
  @HttpCode(204)
  async confirmReset(@ValidBody(passwordResetConfirmBody) body: z.output<typeof passwordResetConfirmBody>) {
    await this.auth.confirmPasswordReset(body);
  }
}
